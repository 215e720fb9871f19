package droplets

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/settings"
)

// Created is the outcome of Create.
type Created struct {
	Droplet  *godo.Droplet
	Existing bool // a droplet of that name made by this repo was already there
	ActionID int  // the create action, 0 when Existing or adopted
}

// Create makes the droplet of plan, or returns the one this repo already
// made under that name, brought to what plan says (see converge), so
// re-running never doubles the bill and finishes what an earlier run left
// undone. It makes no droplet that none of plan.Login's keys could log in
// to (CheckLogin).
func Create(ctx context.Context, api API, plan Plan, log io.Writer) (Created, error) {
	d, err := findOwn(ctx, api, plan.Name)
	if err != nil {
		return Created{}, err
	}
	if d != nil {
		if diffs := differences(plan, *d); len(diffs) > 0 {
			return Created{Droplet: d, Existing: true}, &DiffersError{Name: d.Name, ID: d.ID, Differences: diffs}
		}
		fmt.Fprintf(log, "droplet %s already exists (id %d, made by this repo); not creating another\n", d.Name, d.ID)
		return Created{Droplet: d, Existing: true}, converge(ctx, api, plan, d, log)
	}
	if err := CheckLogin(ctx, api, plan); err != nil {
		return Created{}, err
	}
	// Announced only now: for a droplet that exists, the plan's size and
	// price are not what will happen, and converge says what will.
	fmt.Fprintf(log, "creating droplet %s: %s (%d MB, %d vCPU) in %s, image %s, IPv6 %t, $%0.6f/hour ($%0.2f/month)\n",
		plan.Name, plan.Size.Slug, plan.Size.Memory, plan.Size.Vcpus, plan.Region, plan.Spec.Image, plan.IPv6, plan.Size.PriceHourly, plan.Size.PriceMonthly)
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
	d, resp, err := api.Droplets.Create(ctx, req)
	if err != nil {
		return recoverCreate(ctx, api, plan, err, log)
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
	if plan.Project == "" {
		return out, nil // new droplets join the default project
	}
	return out, assignProject(ctx, api, plan, d)
}

// recoverCreate tells a refusal from a lost answer: DigitalOcean may have made
// the droplet even though we never heard back, and then it must be found, not
// made again.
func recoverCreate(ctx context.Context, api API, plan Plan, err error, log io.Writer) (Created, error) {
	status := doapi.StatusOf(err)
	if status == http.StatusUnprocessableEntity && plan.CustomImage() && plan.IPv6 && strings.Contains(err.Error(), "ipv6") {
		return Created{}, fmt.Errorf("create droplet %s: %w; %w", plan.Name, err, ErrCustomImageIPv6)
	}
	if status != 0 && status < 500 {
		return Created{}, fmt.Errorf("create droplet %s: %w", plan.Name, doapi.Explain(err))
	}
	if ctx.Err() != nil {
		return Created{}, &StrandedError{Name: plan.Name, Maybe: true,
			Err: fmt.Errorf("create droplet %s interrupted: if DigitalOcean made it, it is tagged %s: %w", plan.Name, settings.ManagedTag, ctx.Err())}
	}
	fmt.Fprintf(log, "no answer to the create request (%v); checking whether DigitalOcean made the droplet anyway\n", err)
	d, findErr := findOwn(ctx, api, plan.Name)
	if findErr != nil {
		return Created{}, &StrandedError{Name: plan.Name, Maybe: true,
			Err: fmt.Errorf("create droplet %s: %w; and could not check whether it exists (%v)", plan.Name, doapi.Explain(err), findErr)}
	}
	if d == nil {
		return Created{}, fmt.Errorf("create droplet %s: %w; no droplet was made, so it is safe to retry", plan.Name, doapi.Explain(err))
	}
	fmt.Fprintf(log, "found droplet %s (id %d): the request succeeded, only its answer was lost\n", d.Name, d.ID)
	return Created{Droplet: d}, converge(ctx, api, plan, d, log)
}
