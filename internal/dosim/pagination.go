package dosim

import (
	"net/http"
	"strconv"
)

const (
	defaultPerPage = 20
	maxPerPage     = 200 // larger per_page values are capped, not refused
)

type pageLinks struct {
	First string `json:"first,omitempty"`
	Prev  string `json:"prev,omitempty"`
	Next  string `json:"next,omitempty"`
	Last  string `json:"last,omitempty"`
}

type listLinks struct {
	Pages pageLinks `json:"pages"`
}

type listMeta struct {
	Total int `json:"total"`
}

// paginate answers a list endpoint with one page of items under key, plus
// meta.total and, only when there is more than one page, links.pages holding
// just the links that make sense (no first/prev on the first page, no
// next/last on the last), as DigitalOcean's API description specifies.
func paginate[T any](c *call, key string, items []T) {
	q := c.r.URL.Query()
	page, okPage := positiveParam(q.Get("page"), 1)
	perPage, okPer := positiveParam(q.Get("per_page"), defaultPerPage)
	if !okPage || !okPer {
		c.fail(http.StatusUnprocessableEntity, "page and per_page must be positive integers")
		return
	}
	perPage = min(perPage, maxPerPage)
	total := len(items)
	last := max((total+perPage-1)/perPage, 1)
	start := min((page-1)*perPage, total)
	end := min(start+perPage, total)

	link := func(p int) string {
		lq := c.r.URL.Query()
		lq.Set("page", strconv.Itoa(p))
		if lq.Has("per_page") {
			lq.Set("per_page", strconv.Itoa(perPage))
		}
		return c.baseURL() + c.r.URL.Path + "?" + lq.Encode()
	}
	var links pageLinks
	if page > 1 {
		links.First, links.Prev = link(1), link(min(page-1, last))
	}
	if page < last {
		links.Next, links.Last = link(page+1), link(last)
	}

	body := map[string]any{
		key:    append(make([]T, 0, end-start), items[start:end]...),
		"meta": listMeta{Total: total},
	}
	if links != (pageLinks{}) {
		body["links"] = listLinks{Pages: links}
	}
	c.json(http.StatusOK, body)
}

func positiveParam(v string, def int) (int, bool) {
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 1
}
