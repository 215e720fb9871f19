package droplets

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"

	"github.com/digitalocean/godo"
)

// apiError is DigitalOcean's answer status to a request, as godo reports it.
func apiError(method string, status int, message string) error {
	u, _ := url.Parse("https://api.digitalocean.com/v2/x")
	return &godo.ErrorResponse{
		Response:  &http.Response{StatusCode: status, Request: &http.Request{Method: method, URL: u}},
		Message:   message,
		RequestID: "req-1",
	}
}

// errNoAnswer is a request whose answer never came.
var errNoAnswer = errors.New("read tcp: connection reset by peer")

// fakeDroplets is a DropletsService holding droplets in memory; its err
// fields make one call fail.
type fakeDroplets struct {
	mu        sync.Mutex
	droplets  []godo.Droplet
	created   []*godo.DropletCreateRequest
	deleted   []int
	keep      bool // Delete succeeds but the droplet stays listed
	getErr    error
	listErr   error
	lostList  bool  // listing fails once a create was sent
	createErr error // returned by Create
	makes     bool  // with createErr, the droplet is made anyway (its answer was lost)
	deleteErr error
}

func (f *fakeDroplets) Get(_ context.Context, id int) (*godo.Droplet, *godo.Response, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.getErr != nil {
		return nil, nil, f.getErr
	}
	for i := range f.droplets {
		if f.droplets[i].ID == id {
			d := f.droplets[i]
			return &d, nil, nil
		}
	}
	return nil, nil, apiError("GET", http.StatusNotFound, "The resource you were accessing could not be found.")
}

func (f *fakeDroplets) List(ctx context.Context, _ *godo.ListOptions) ([]godo.Droplet, *godo.Response, error) {
	return f.filter(func(godo.Droplet) bool { return true })
}

func (f *fakeDroplets) ListByName(_ context.Context, name string, _ *godo.ListOptions) ([]godo.Droplet, *godo.Response, error) {
	return f.filter(func(d godo.Droplet) bool { return d.Name == name })
}

func (f *fakeDroplets) ListByTag(_ context.Context, tag string, _ *godo.ListOptions) ([]godo.Droplet, *godo.Response, error) {
	return f.filter(func(d godo.Droplet) bool { return Managed(d) })
}

func (f *fakeDroplets) filter(keep func(godo.Droplet) bool) ([]godo.Droplet, *godo.Response, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.listErr != nil {
		return nil, nil, f.listErr
	}
	if f.lostList && len(f.created) > 0 {
		return nil, nil, errNoAnswer
	}
	var out []godo.Droplet
	for _, d := range f.droplets {
		if keep(d) {
			out = append(out, d)
		}
	}
	return out, nil, nil
}

func (f *fakeDroplets) Create(_ context.Context, req *godo.DropletCreateRequest) (*godo.Droplet, *godo.Response, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.created = append(f.created, req)
	d := godo.Droplet{ID: 1000 + len(f.created), Name: req.Name, Tags: req.Tags, Status: "new",
		Region: &godo.Region{Slug: req.Region}, SizeSlug: req.Size, Image: &godo.Image{ID: req.Image.ID, Slug: req.Image.Slug}}
	if req.IPv6 {
		d.Features = []string{"ipv6"}
	}
	if f.createErr == nil || f.makes {
		f.droplets = append(f.droplets, d)
	}
	if f.createErr != nil {
		return nil, nil, f.createErr
	}
	return &d, nil, nil
}

func (f *fakeDroplets) Delete(_ context.Context, id int) (*godo.Response, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.deleteErr != nil {
		return nil, f.deleteErr
	}
	f.deleted = append(f.deleted, id)
	if !f.keep {
		for i := range f.droplets {
			if f.droplets[i].ID == id {
				f.droplets = append(f.droplets[:i], f.droplets[i+1:]...)
				break
			}
		}
	}
	return nil, nil
}

// fakeProjects is a ProjectsService: the project exists and holds nothing,
// and assigning to it fails with err.
type fakeProjects struct{ err error }

func (f fakeProjects) Get(_ context.Context, id string) (*godo.Project, *godo.Response, error) {
	return &godo.Project{ID: id, Name: "web"}, nil, nil
}

func (f fakeProjects) ListResources(context.Context, string, *godo.ListOptions) ([]godo.ProjectResource, *godo.Response, error) {
	return nil, nil, nil
}

func (f fakeProjects) AssignResources(context.Context, string, ...any) ([]godo.ProjectResource, *godo.Response, error) {
	return nil, nil, f.err
}

// The catalogue Check reads, or its failure.
type (
	fakeRegions struct {
		regions []godo.Region
		err     error
	}
	fakeSizes struct {
		sizes []godo.Size
		err   error
	}
	fakeImages struct{ img godo.Image }
	fakeKeys   struct{ keys []godo.Key }
)

func (f fakeRegions) List(context.Context, *godo.ListOptions) ([]godo.Region, *godo.Response, error) {
	return f.regions, nil, f.err
}

func (f fakeSizes) List(context.Context, *godo.ListOptions) ([]godo.Size, *godo.Response, error) {
	return f.sizes, nil, f.err
}

func (f fakeImages) GetByID(context.Context, int) (*godo.Image, *godo.Response, error) {
	return &f.img, nil, nil
}

func (f fakeImages) GetBySlug(context.Context, string) (*godo.Image, *godo.Response, error) {
	return &f.img, nil, nil
}

func (f fakeKeys) List(context.Context, *godo.ListOptions) ([]godo.Key, *godo.Response, error) {
	return f.keys, nil, nil
}

func (f fakeKeys) GetByID(_ context.Context, id int) (*godo.Key, *godo.Response, error) {
	return &godo.Key{ID: id}, nil, nil
}

func (f fakeKeys) GetByFingerprint(_ context.Context, fp string) (*godo.Key, *godo.Response, error) {
	return &godo.Key{Fingerprint: fp}, nil, nil
}

// fakeAPI is an account with one region (sfo3), one size (s-1vcpu-2gb),
// the debian-12-x64 image and one SSH key, and droplets d.
func fakeAPI(d *fakeDroplets) API {
	return API{
		Droplets: d,
		Regions:  fakeRegions{regions: []godo.Region{{Slug: "sfo3", Available: true}}},
		Sizes:    fakeSizes{sizes: []godo.Size{{Slug: "s-1vcpu-2gb", Memory: 2048, Disk: 50, Available: true, Regions: []string{"sfo3"}, PriceMonthly: 12, PriceHourly: 0.01786}}},
		Images:   fakeImages{img: godo.Image{Slug: "debian-12-x64", Status: "available", MinDiskSize: 15}},
		Keys:     fakeKeys{keys: []godo.Key{{ID: 7}}},
		Projects: fakeProjects{},
	}
}
