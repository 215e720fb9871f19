package app

import (
	"context"
	"fmt"
	"time"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/display"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hints"
	"github.com/Gleipnir-Technology/nixos-systems/internal/plan"
	"github.com/Gleipnir-Technology/nixos-systems/internal/poll"
	"github.com/Gleipnir-Technology/nixos-systems/internal/prompt"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
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
func Sizes(ctx context.Context, e *Env, region string, asJSON bool) (err error) {
	defer explain(&err)
	if region == "" {
		region = e.Settings.Region
	}
	sizes, err := droplets.Sizes(ctx, e.dropletAPI(), region)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Err, "sizes offered in %s, cheapest first; nixos-anywhere needs %d MB (kexec), nixos-infect %d MB; %s\n", region, droplets.AnywhereMinMB, droplets.InfectMinMB, hints.UpOnSmallSizes)
	return e.print(asJSON, display.Sizes(sizes))
}

// Provision checks spec, creates the droplet (or finds this repo's droplet of
// that name) and waits until it answers SSH.
func Provision(ctx context.Context, e *Env, spec droplets.Spec, timeout *time.Duration) (d *godo.Droplet, plan droplets.Plan, err error) {
	defer explain(&err)
	if err := e.checkSSHPort(); err != nil {
		return nil, plan, err
	}
	api := e.dropletAPI()
	plan, err = droplets.Check(ctx, api, spec)
	if err != nil {
		return nil, plan, err
	}
	// The droplet is for logging in to (`mage anywhere` next, or ssh):
	// droplets.Create refuses one that none of the keys lets in.
	ssh, err := e.SSHConfig()
	if err != nil {
		return nil, plan, err
	}
	if plan.Login, err = loginOf(ssh); err != nil {
		return nil, plan, err
	}
	d, err = provisionChecked(ctx, e, plan, timeout)
	return d, plan, err
}

// provisionChecked creates the droplet of a checked plan, or finds this
// repo's droplet of that name, and waits until it answers SSH.
func provisionChecked(ctx context.Context, e *Env, plan droplets.Plan, timeout *time.Duration) (*godo.Droplet, error) {
	api := e.dropletAPI()
	created, err := droplets.Create(ctx, api, plan, e.Err)
	if err != nil {
		return nil, err
	}
	if created.Existing {
		droplets.WarnLogin(ctx, api, plan, e.Err)
	}
	w := e.Wait
	w.ActionID = created.ActionID
	if timeout != nil {
		w.Timeout = *timeout
	}
	return droplets.WaitReady(ctx, api, created.Droplet.ID, w)
}

// Create makes a droplet from settings and overrides and prints it.
func Create(ctx context.Context, e *Env, o Overrides, asJSON bool) (err error) {
	defer explain(&err)
	d, _, err := Provision(ctx, e, e.Spec(o), o.Timeout)
	if err != nil {
		return err
	}
	row := []droplets.Droplet{droplets.Describe(*d, e.Now())}
	markHosts(e, row, false)
	if err := e.print(asJSON, display.Droplet(row[0], e.Now())); err != nil {
		return err
	}
	ip, _ := d.PublicIPv4()
	fmt.Fprintln(e.Err, hints.AfterCreate(ip, remote.Config{User: e.Settings.SSHUser}.Login(ip)))
	return nil
}

// List prints this repo's droplets with what they cost.
func List(ctx context.Context, e *Env, asJSON bool) (err error) {
	defer explain(&err)
	now := e.Now()
	ds, err := droplets.List(ctx, e.dropletAPI(), now)
	if err != nil {
		return err
	}
	markHosts(e, ds, true)
	for _, d := range ds {
		if back := plan.ReturnSize(d.Tags); back != "" && back != d.Size {
			fmt.Fprintln(e.Err, hints.OnDetour(d.Name, d.Size, d.PriceMonthly, back))
		}
	}
	return e.print(asJSON, display.Droplets(ds, now))
}

// Destroy deletes one of this repo's droplets.
func Destroy(ctx context.Context, e *Env, target string, yes, force bool) (err error) {
	defer explain(&err)
	d, err := droplets.Destroy(ctx, e.dropletAPI(), target, droplets.DestroyOptions{
		Consent: prompt.Consent{Yes: yes, Force: force, In: e.In, Out: e.Err},
		Pace:    poll.Pace{FirstPoll: e.Wait.FirstPoll, Log: e.Err},
	})
	if err != nil {
		return err
	}
	return e.print(false, display.Removed(display.Removal{Verb: "destroyed", Kind: "droplet", Name: d.Name, ID: d.ID}))
}
