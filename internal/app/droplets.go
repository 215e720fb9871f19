package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
)

// Overrides are the flags a droplet-making target accepts; nil keeps the setting.
type Overrides struct {
	Name, Size, Region, Image *string
	IPv6                      *bool
	Timeout                   *time.Duration
}

// Spec applies o over the settings.
func (e *Env) Spec(o Overrides) droplets.Spec {
	spec := droplets.SpecFrom(e.Settings)
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&spec.Name, o.Name)
	set(&spec.Size, o.Size)
	set(&spec.Region, o.Region)
	set(&spec.Image, o.Image)
	if o.IPv6 != nil {
		spec.IPv6 = *o.IPv6
	}
	return spec
}

// Sizes prints the sizes offered in region ("" = the settings' region).
func Sizes(ctx context.Context, e *Env, region string, asJSON bool) error {
	if region == "" {
		region = e.Settings.Region
	}
	sizes, err := droplets.Sizes(ctx, e.Client, region)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.Out, sizes)
	}
	fmt.Fprintf(e.Err, "sizes offered in %s, cheapest first; nixos-anywhere needs %d MB (kexec), nixos-infect %d MB\n", region, droplets.AnywhereMinMB, droplets.InfectMinMB)
	return droplets.WriteSizes(e.Out, sizes)
}

// Provision checks spec, creates the droplet (or finds this repo's droplet of
// that name) and waits until it answers SSH.
func Provision(ctx context.Context, e *Env, spec droplets.Spec, timeout *time.Duration) (*godo.Droplet, droplets.Plan, error) {
	plan, err := droplets.Check(ctx, e.Client, spec)
	if err != nil {
		return nil, plan, err
	}
	fmt.Fprintf(e.Err, "droplet %s: %s (%d MB, %d vCPU) in %s, image %s, IPv6 %t, $%0.6f/hour ($%0.2f/month)\n",
		plan.Name, plan.Size.Slug, plan.Size.Memory, plan.Size.Vcpus, plan.Region, spec.Image, plan.IPv6, plan.Size.PriceHourly, plan.Size.PriceMonthly)
	created, err := droplets.Create(ctx, e.Client, plan, e.Err)
	if err != nil {
		return nil, plan, err
	}
	if created.Existing {
		fmt.Fprintf(e.Err, "droplet %s already exists (id %d, made by this repo); not creating another\n", created.Droplet.Name, created.Droplet.ID)
	}
	w := e.Wait
	w.ActionID = created.ActionID
	if timeout != nil {
		w.Timeout = *timeout
	}
	d, err := droplets.WaitReady(ctx, e.Client, created.Droplet.ID, w)
	return d, plan, err
}

// Create makes a droplet from settings and overrides and prints it.
func Create(ctx context.Context, e *Env, o Overrides, asJSON bool) error {
	d, _, err := Provision(ctx, e, e.Spec(o), o.Timeout)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.Out, droplets.Summarize(d))
	}
	if err := droplets.WriteDroplet(e.Out, d); err != nil {
		return err
	}
	ip, _ := d.PublicIPv4()
	fmt.Fprintf(e.Err, "next: mage anywhere host=%s    (or: ssh root@%s)\n", ip, ip)
	return nil
}

// List prints this repo's droplets with what they cost.
func List(ctx context.Context, e *Env, asJSON bool) error {
	now := e.Now()
	rows, err := droplets.List(ctx, e.Client, now)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.Out, rows)
	}
	return droplets.WriteList(e.Out, rows, now)
}

// Destroy deletes one of this repo's droplets.
func Destroy(ctx context.Context, e *Env, target string, yes, force bool) error {
	d, err := droplets.Destroy(ctx, e.Client, target, droplets.DestroyOptions{
		Yes: yes, Force: force, Confirm: e.In, Log: e.Err,
		Poll: e.Wait.FirstPoll,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Out, "destroyed droplet %s (id %d)\n", d.Name, d.ID)
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
