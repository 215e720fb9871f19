package dosim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/digitalocean/godo"
	"github.com/google/go-cmp/cmp"
)

func TestPaginationWalksAllPages(t *testing.T) {
	e := newEnv(t, Options{})
	var want []string
	for i := range 5 {
		name := "page-" + itoa(i)
		e.createDroplet(t, basicRequest(name))
		want = append(want, name)
	}
	var got []string
	var pages []int
	opt := &godo.ListOptions{PerPage: 2}
	for {
		ds, resp, err := e.client.Droplets.List(ctx, opt)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			got = append(got, d.Name)
		}
		if resp.Meta.Total != 5 {
			t.Errorf("meta.total %d, want 5", resp.Meta.Total)
		}
		page, err := resp.Links.CurrentPage()
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, page)
		if resp.Links.IsLastPage() {
			break
		}
		opt.Page = page + 1
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("names across pages (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{1, 2, 3}, pages); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}

	// Only the links that make sense, as absolute URLs on the simulator.
	base := e.ts.URL + "/v2/droplets?"
	for page, want := range map[string]pageLinks{
		"1": {Next: base + "page=2&per_page=2", Last: base + "page=3&per_page=2"},
		"2": {First: base + "page=1&per_page=2", Prev: base + "page=1&per_page=2", Next: base + "page=3&per_page=2", Last: base + "page=3&per_page=2"},
		"3": {First: base + "page=1&per_page=2", Prev: base + "page=2&per_page=2"},
	} {
		var body struct {
			Links listLinks `json:"links"`
		}
		resp := e.raw(t, http.MethodGet, "/v2/droplets?per_page=2&page="+page, "")
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, body.Links.Pages); diff != "" {
			t.Errorf("page %s links (-want +got):\n%s", page, diff)
		}
	}
}

func TestPaginationSinglePageHasNoLinks(t *testing.T) {
	e := newEnv(t, Options{})
	e.createDroplet(t, nil)
	_, resp, err := e.client.Droplets.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// DigitalOcean: "If the response contains 20 objects or fewer, no links
	// object will be returned". godo then leaves Links nil.
	if resp.Links != nil {
		t.Errorf("links %+v on a single page", resp.Links)
	}
	if resp.Meta == nil || resp.Meta.Total != 1 {
		t.Errorf("meta %+v", resp.Meta)
	}
}

func TestPaginationParameters(t *testing.T) {
	e := newEnv(t, Options{})
	for _, q := range []string{"per_page=0", "per_page=x", "page=0", "page=-1"} {
		if resp := e.raw(t, http.MethodGet, "/v2/sizes?"+q, ""); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", q, resp.StatusCode)
		}
	}
	// per_page above 200 is capped: page 2 of 200 does not exist, and the
	// links say per_page=200.
	resp := e.raw(t, http.MethodGet, "/v2/sizes?per_page=500&page=2", "")
	var body struct {
		Sizes []sizeJSON `json:"sizes"`
		Links listLinks  `json:"links"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	prev, err := url.Parse(body.Links.Pages.Prev)
	if err != nil || len(body.Sizes) != 0 || prev.Query().Get("per_page") != "200" || prev.Query().Get("page") != "1" {
		t.Errorf("page 2 of per_page=500: %d sizes, links %+v", len(body.Sizes), body.Links)
	}
	if !strings.HasPrefix(body.Links.Pages.First, e.ts.URL+"/v2/sizes?") {
		t.Errorf("first link %q is not on the simulator", body.Links.Pages.First)
	}
}
