package images

import (
	"context"

	"github.com/digitalocean/godo"
)

// API is the part of godo's images service this package uses, as doctl's do
// package narrows it: godo's own service (a client's Images) satisfies it,
// and tests give fakes that fail where a test wants.
type API interface {
	GetByID(ctx context.Context, id int) (*godo.Image, *godo.Response, error)
	ListUser(ctx context.Context, opt *godo.ListOptions) ([]godo.Image, *godo.Response, error)
	Create(ctx context.Context, req *godo.CustomImageCreateRequest) (*godo.Image, *godo.Response, error)
	Delete(ctx context.Context, id int) (*godo.Response, error)
}
