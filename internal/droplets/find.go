package droplets

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/settings"
)

// FindOwn returns this repo's droplet called name, nil when there is none,
// and an error when the name belongs to a droplet someone else made.
func FindOwn(ctx context.Context, api API, name string) (*godo.Droplet, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	return findOwn(ctx, api, name)
}

// findOwn returns this repo's droplet called name, nil if there is none, and
// an error if the name belongs to a droplet someone else made.
func findOwn(ctx context.Context, api API, name string) (*godo.Droplet, error) {
	ds, err := listByName(ctx, api, name)
	if err != nil {
		return nil, err
	}
	for i := range ds {
		if Managed(ds[i]) {
			return &ds[i], nil
		}
	}
	if len(ds) > 0 {
		return nil, ErrNameTaken.Errorf("a droplet named %s (id %d) exists but was not made by this repo (no tag %s)", name, ds[0].ID, settings.ManagedTag)
	}
	return nil, nil
}

// listByName returns every droplet called name.
func listByName(ctx context.Context, api API, name string) ([]godo.Droplet, error) {
	ds, err := doapi.ListAll(ctx, func(ctx context.Context, opt *godo.ListOptions) ([]godo.Droplet, *godo.Response, error) {
		return api.Droplets.ListByName(ctx, name, opt)
	})
	if err != nil {
		return nil, fmt.Errorf("look up droplets named %s: %w", name, doapi.Explain(err))
	}
	return ds, nil
}

// Managed reports whether this repo made d.
func Managed(d godo.Droplet) bool {
	return slices.Contains(d.Tags, settings.ManagedTag)
}

// Resolve finds a droplet by numeric ID or by name.
func Resolve(ctx context.Context, api API, nameOrID string) (*godo.Droplet, error) {
	if id, err := strconv.Atoi(nameOrID); err == nil {
		d, _, err := api.Droplets.Get(ctx, id)
		if doapi.IsNotFound(err) {
			return nil, ErrNoSuchDroplet.Errorf("no droplet with ID %d", id)
		}
		if err != nil {
			return nil, fmt.Errorf("read droplet %d: %w", id, doapi.Explain(err))
		}
		return d, nil
	}
	ds, err := listByName(ctx, api, nameOrID)
	if err != nil {
		return nil, err
	}
	switch len(ds) {
	case 0:
		return nil, ErrNoSuchDroplet.Errorf("no droplet named %q", nameOrID)
	case 1:
		return &ds[0], nil
	}
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = strconv.Itoa(d.ID)
	}
	return nil, fmt.Errorf("%d droplets are named %q (IDs %s); name one by ID", len(ds), nameOrID, strings.Join(ids, ", "))
}

// WithIPv4 returns the account's droplet whose public IPv4 is ip, or nil.
func WithIPv4(ctx context.Context, api API, ip string) (*godo.Droplet, error) {
	ds, err := doapi.ListAll(ctx, api.Droplets.List)
	if err != nil {
		return nil, fmt.Errorf("look for the droplet with address %s: %w", ip, doapi.Explain(err))
	}
	for i := range ds {
		if v4, _ := ds[i].PublicIPv4(); v4 == ip {
			return &ds[i], nil
		}
	}
	return nil, nil
}
