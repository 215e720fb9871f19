package droplets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/settings"
)

// ErrCustomImageIPv6 marks DigitalOcean's refusal to give a custom-image droplet IPv6.
var ErrCustomImageIPv6 = errors.New("droplets from custom images get no IPv6 and take their IPv4 address by DHCP; " +
	"create it with -ipv6=false, or keep IPv6 with a stock image and `mage anywhere` or `mage infect`")

// Created is the outcome of Create.
type Created struct {
	Droplet  *godo.Droplet
	Existing bool // a droplet of that name made by this repo was already there
	ActionID int  // the create action, 0 when Existing or adopted
}

// Create makes the droplet of plan, or returns the one this repo already
// made under that name, so re-running never doubles the bill.
func Create(ctx context.Context, c *godo.Client, plan Plan, log io.Writer) (Created, error) {
	if d, err := findOwn(ctx, c, plan.Name); err != nil || d != nil {
		return Created{Droplet: d, Existing: d != nil}, err
	}
	if plan.CustomImage() && plan.IPv6 {
		fmt.Fprintf(log, "warning: image %d is a custom image and IPv6 is on; DigitalOcean is expected to refuse this (sending anyway to show its answer)\n", plan.Image.ID)
	}
	req := &godo.DropletCreateRequest{
		Name:       plan.Name,
		Region:     plan.Region,
		Size:       plan.Size.Slug,
		Image:      godo.DropletCreateImage{ID: plan.Image.ID, Slug: plan.Image.Slug},
		SSHKeys:    plan.SSHKeys,
		IPv6:       plan.IPv6,
		Monitoring: !plan.CustomImage(), // DigitalOcean cannot install its agent on custom images at creation
		UserData:   plan.UserData,
		Tags:       plan.Tags,
	}
	if req.Image.Slug != "" {
		req.Image.ID = 0
	}
	d, resp, err := c.Droplets.Create(ctx, req)
	if err != nil {
		return recoverCreate(ctx, c, plan, err, log)
	}
	out := Created{Droplet: d}
	if resp != nil && resp.Links != nil {
		for _, a := range resp.Links.Actions {
			if a.Rel == "create" {
				out.ActionID = a.ID
			}
		}
	}
	fmt.Fprintf(log, "created droplet %s (id %d), tagged %s\n", d.Name, d.ID, strings.Join(plan.Tags, ","))
	return out, assignProject(ctx, c, plan, d)
}

// recoverCreate tells a refusal from a lost answer: DigitalOcean may have made
// the droplet even though we never heard back, and then it must be found, not
// made again.
func recoverCreate(ctx context.Context, c *godo.Client, plan Plan, err error, log io.Writer) (Created, error) {
	status := doapi.StatusOf(err)
	if status == http.StatusUnprocessableEntity && plan.CustomImage() && plan.IPv6 && strings.Contains(err.Error(), "ipv6") {
		return Created{}, fmt.Errorf("%w; %w", err, ErrCustomImageIPv6)
	}
	if status != 0 && status < 500 {
		return Created{}, fmt.Errorf("create droplet %s: %w", plan.Name, doapi.Explain(err))
	}
	if ctx.Err() != nil {
		return Created{}, fmt.Errorf("create droplet %s interrupted: if DigitalOcean made it, it is tagged %s; check `mage list`: %w", plan.Name, settings.ManagedTag, ctx.Err())
	}
	fmt.Fprintf(log, "no answer to the create request (%v); checking whether DigitalOcean made the droplet anyway\n", err)
	d, findErr := findOwn(ctx, c, plan.Name)
	if findErr != nil {
		return Created{}, fmt.Errorf("create droplet %s: %w; and could not check whether it exists (%v): run `mage list` before retrying", plan.Name, doapi.Explain(err), findErr)
	}
	if d == nil {
		return Created{}, fmt.Errorf("create droplet %s: %w; no droplet was made, so it is safe to retry", plan.Name, doapi.Explain(err))
	}
	fmt.Fprintf(log, "found droplet %s (id %d): the request succeeded, only its answer was lost\n", d.Name, d.ID)
	return Created{Droplet: d}, assignProject(ctx, c, plan, d)
}

func assignProject(ctx context.Context, c *godo.Client, plan Plan, d *godo.Droplet) error {
	if plan.Project == "" {
		return nil
	}
	if _, _, err := c.Projects.AssignResources(ctx, plan.Project, godo.ToURN("Droplet", d.ID)); err != nil {
		return fmt.Errorf("droplet %d was created but not moved to project %s (%w); move it in the control panel or destroy it with `mage destroy %s`", d.ID, plan.Project, doapi.Explain(err), d.Name)
	}
	return nil
}

// findOwn returns this repo's droplet called name, nil if there is none, and
// an error if the name belongs to a droplet someone else made.
func findOwn(ctx context.Context, c *godo.Client, name string) (*godo.Droplet, error) {
	ds, err := listByName(ctx, c, name)
	if err != nil {
		return nil, err
	}
	for i := range ds {
		if Managed(ds[i]) {
			return &ds[i], nil
		}
	}
	if len(ds) > 0 {
		return nil, fmt.Errorf("a droplet named %s (id %d) exists but was not made by this repo (no tag %s); choose another -name", name, ds[0].ID, settings.ManagedTag)
	}
	return nil, nil
}

// listByName returns every droplet called name.
func listByName(ctx context.Context, c *godo.Client, name string) ([]godo.Droplet, error) {
	ds, err := doapi.ListAll(ctx, func(ctx context.Context, opt *godo.ListOptions) ([]godo.Droplet, *godo.Response, error) {
		return c.Droplets.ListByName(ctx, name, opt)
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
