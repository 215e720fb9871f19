package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/actions"
	"github.com/Gleipnir-Technology/nixos-systems/internal/anywhere"
	"github.com/Gleipnir-Technology/nixos-systems/internal/cmdline"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/plan"
	"github.com/Gleipnir-Technology/nixos-systems/internal/steps"
)

// The detour takes a droplet too small for nixos-anywhere's installer to a
// size that carries it, CPU and RAM only, and back after the install. The
// tag written first records the size to go back to, on the droplet itself,
// so any later run finishes the way back.

// needsDetour reports whether the install still has to happen and the
// droplet is too small for it now.
func (r *routeRun) needsDetour() bool {
	return !r.installed() && r.d.Memory < droplets.AnywhereMinMB
}

func (r *routeRun) tagged(tag string) bool { return slices.Contains(r.d.Tags, tag) }

// afresh is a step's Done that reads the droplet again and asks done of
// it: the power and resize steps decide from the droplet as it is now,
// which actions of an earlier run may have changed since it was read.
func afresh(done func(*routeRun) bool) func(context.Context, *routeRun) (bool, error) {
	return func(ctx context.Context, r *routeRun) (bool, error) {
		err := r.refresh(ctx)
		return err == nil && done(r), err
	}
}

// detourThere are the steps before the install: record the way back,
// power off, resize up. Each is done once the droplet is big enough or
// NixOS is installed.
func detourThere(to droplets.Size, tag string, grace time.Duration) []steps.Step[*routeRun] {
	return []steps.Step[*routeRun]{
		{
			Name: fmt.Sprintf("tag the droplet %s, recording the size it goes back to", tag),
			Done: afresh(func(r *routeRun) bool { return !r.needsDetour() || r.tagged(tag) }),
			Do:   func(ctx context.Context, r *routeRun) error { return r.tag(ctx, tag) },
		},
		{
			Name: fmt.Sprintf("power off for the resize (shutdown; the power is cut after %s)", cmdline.Format(grace)),
			Done: afresh(func(r *routeRun) bool { return !r.needsDetour() || r.d.Status == actions.StatusOff }),
			Do:   func(ctx context.Context, r *routeRun) error { return r.act.PowerOff(ctx, r.d.ID) },
		},
		{
			Name:    fmt.Sprintf("resize to %s, CPU and RAM only (%d MB for nixos-anywhere's installer, $%0.6f/hour)", to.Slug, to.MemoryMB, to.PriceHourly),
			Done:    afresh(func(r *routeRun) bool { return !r.needsDetour() }),
			Do:      func(ctx context.Context, r *routeRun) error { return r.act.Resize(ctx, r.d.ID, to.Slug) },
			Stopped: resizeLeft,
		},
	}
}

// detourBack are the steps after the install: power off, resize back,
// power on, remove the tag. Each is done once the droplet is back on its
// size.
func detourBack(back droplets.Size, tag string, grace time.Duration) []steps.Step[*routeRun] {
	home := func(r *routeRun) bool { return r.d.SizeSlug == back.Slug }
	return []steps.Step[*routeRun]{
		{
			Name: fmt.Sprintf("power off to resize back (shutdown; the power is cut after %s)", cmdline.Format(grace)),
			Done: afresh(func(r *routeRun) bool { return home(r) || r.d.Status == actions.StatusOff }),
			Do:   func(ctx context.Context, r *routeRun) error { return r.act.PowerOff(ctx, r.d.ID) },
		},
		{
			Name:    fmt.Sprintf("resize back to %s, CPU and RAM only ($%0.2f/month)", back.Slug, back.PriceMonthly),
			Done:    afresh(home),
			Do:      func(ctx context.Context, r *routeRun) error { return r.act.Resize(ctx, r.d.ID, back.Slug) },
			Stopped: resizeLeft,
		},
		stepPowerOn(" as " + back.Slug),
		{
			Name: "remove the tag " + tag,
			Done: afresh(func(r *routeRun) bool { return !r.tagged(tag) }),
			Do:   func(ctx context.Context, r *routeRun) error { return r.untag(ctx, tag) },
		},
	}
}

// backOnFailure is st, which stops a detour run that cannot install, made
// to take the droplet back first: when st fails in a way that leaves the
// droplet's own system as it was (a refusal, a failed check, nixos-anywhere
// stopping before it wrote the disk), and the droplet carries tag (it is on
// its way to, on, or back from the larger size), the steps back run before
// the run stops. Otherwise every later run would stop in st again and
// never reach them. An interrupted or timed-out run goes straight out.
func backOnFailure(st steps.Step[*routeRun], back []steps.Step[*routeRun], tag string) steps.Step[*routeRun] {
	do := st.Do
	st.Do = func(ctx context.Context, r *routeRun) error {
		err := do(ctx, r)
		var ie *anywhere.InstallError
		if err == nil || ctx.Err() != nil || errors.As(err, &ie) && !ie.DiskUntouched() {
			return err // a half-written disk: the next run carries on in the installer
		}
		if rerr := r.refresh(ctx); rerr != nil {
			return fmt.Errorf("%w; and whether the droplet must go back is not known: %w", err, rerr)
		}
		if !r.tagged(tag) {
			return err
		}
		fmt.Fprintf(r.e.Err, "the install cannot go on, so droplet %s goes back first\n", r.name)
		if _, berr := steps.Run(ctx, back, r, r.e.Err); berr != nil {
			return fmt.Errorf("%w; taking the droplet back failed too: %w", err, berr)
		}
		return &plan.WentBack{Err: err, Name: r.name, Size: r.d.SizeSlug}
	}
	return st
}

// resizeLeft is what a run stopped in a resize leaves: DigitalOcean goes on
// with a resize it accepted, and the droplet takes no other action until
// it ends, which the next run waits for.
func resizeLeft(*routeRun) string {
	return "a resize DigitalOcean accepted goes on without this run, and the droplet takes no other action until it ends; the next run waits for it"
}

// tag puts tag on the droplet and reads it again.
func (r *routeRun) tag(ctx context.Context, tag string) error {
	if err := droplets.Tag(ctx, r.e.dropletAPI(), r.d.ID, tag); err != nil {
		return err
	}
	return r.refresh(ctx)
}

// untag takes tag off the droplet and reads it again.
func (r *routeRun) untag(ctx context.Context, tag string) error {
	if err := droplets.Untag(ctx, r.e.dropletAPI(), r.d.ID, tag); err != nil {
		return err
	}
	return r.refresh(ctx)
}
