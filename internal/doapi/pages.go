package doapi

import (
	"context"

	"github.com/digitalocean/godo"
)

// ListAll walks every page of a godo list call at the API's largest page size,
// so a long list costs as few requests as possible.
func ListAll[T any](ctx context.Context, list func(context.Context, *godo.ListOptions) ([]T, *godo.Response, error)) ([]T, error) {
	var all []T
	opt := &godo.ListOptions{Page: 1, PerPage: 200}
	for {
		items, resp, err := list(ctx, opt)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		// godo leaves Links nil when the body has none: that is the last page too.
		if resp == nil || resp.Links == nil || resp.Links.IsLastPage() {
			return all, nil
		}
		page, err := resp.Links.CurrentPage()
		if err != nil {
			return nil, err
		}
		opt.Page = page + 1
	}
}
