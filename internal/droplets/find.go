package droplets

import (
	"context"

	"github.com/digitalocean/godo"
)

// FindOwn returns this repo's droplet called name, nil when there is none,
// and an error when the name belongs to a droplet someone else made.
func FindOwn(ctx context.Context, api API, name string) (*godo.Droplet, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	return findOwn(ctx, api, name)
}
