package droplets

import (
	"context"

	"github.com/digitalocean/godo"
)

// The parts of godo's services this package uses, as doctl's do package
// narrows them: godo's own services satisfy them (NewAPI), and tests give
// fakes that fail where a test wants, without a simulator.
type (
	DropletsService interface {
		Get(ctx context.Context, id int) (*godo.Droplet, *godo.Response, error)
		List(ctx context.Context, opt *godo.ListOptions) ([]godo.Droplet, *godo.Response, error)
		ListByName(ctx context.Context, name string, opt *godo.ListOptions) ([]godo.Droplet, *godo.Response, error)
		ListByTag(ctx context.Context, tag string, opt *godo.ListOptions) ([]godo.Droplet, *godo.Response, error)
		Create(ctx context.Context, req *godo.DropletCreateRequest) (*godo.Droplet, *godo.Response, error)
		Delete(ctx context.Context, id int) (*godo.Response, error)
	}
	ActionsService interface {
		Get(ctx context.Context, id int) (*godo.Action, *godo.Response, error)
	}
	RegionsService interface {
		List(ctx context.Context, opt *godo.ListOptions) ([]godo.Region, *godo.Response, error)
	}
	SizesService interface {
		List(ctx context.Context, opt *godo.ListOptions) ([]godo.Size, *godo.Response, error)
	}
	ImagesService interface {
		GetByID(ctx context.Context, id int) (*godo.Image, *godo.Response, error)
		GetBySlug(ctx context.Context, slug string) (*godo.Image, *godo.Response, error)
	}
	KeysService interface {
		List(ctx context.Context, opt *godo.ListOptions) ([]godo.Key, *godo.Response, error)
		GetByID(ctx context.Context, id int) (*godo.Key, *godo.Response, error)
		GetByFingerprint(ctx context.Context, fingerprint string) (*godo.Key, *godo.Response, error)
	}
	ProjectsService interface {
		Get(ctx context.Context, id string) (*godo.Project, *godo.Response, error)
		ListResources(ctx context.Context, projectID string, opt *godo.ListOptions) ([]godo.ProjectResource, *godo.Response, error)
		AssignResources(ctx context.Context, projectID string, resources ...any) ([]godo.ProjectResource, *godo.Response, error)
	}
	TagsService interface {
		Create(ctx context.Context, req *godo.TagCreateRequest) (*godo.Tag, *godo.Response, error)
		TagResources(ctx context.Context, tag string, req *godo.TagResourcesRequest) (*godo.Response, error)
		UntagResources(ctx context.Context, tag string, req *godo.UntagResourcesRequest) (*godo.Response, error)
	}
)

// API is the DigitalOcean this package talks to.
type API struct {
	Droplets DropletsService
	Actions  ActionsService
	Regions  RegionsService
	Sizes    SizesService
	Images   ImagesService
	Keys     KeysService
	Projects ProjectsService
	Tags     TagsService
}

// NewAPI is c's services.
func NewAPI(c *godo.Client) API {
	return API{
		Droplets: c.Droplets, Actions: c.Actions, Regions: c.Regions, Sizes: c.Sizes,
		Images: c.Images, Keys: c.Keys, Projects: c.Projects, Tags: c.Tags,
	}
}
