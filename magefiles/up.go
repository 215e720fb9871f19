//go:build mage

package main

import (
	"context"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/app"
)

// Up takes a droplet from nothing to a verified NixOS with its host entry, on the cheapest size that carries the route, or finishes what an earlier run started.
func Up(ctx context.Context, name string,
	route *string, // anywhere (nixos-anywhere; under 2 GB it installs on a 2 GB size and goes back) or infect; default anywhere
	size *string, // size slug; default the cheapest in the region that carries the route
	region *string, // region slug; default DROPLET_REGION
	ipv6 *bool, // enable IPv6; default DROPLET_IPV6
	yes *bool, // do not ask before wiping a droplet this run did not make
	timeout *time.Duration, // how long the whole run may take, from 1s to 6h; default 1h
	dryrun *bool, // print the plan (sizes, prices, steps) and change nothing
	json *bool, // print the plan or the report as JSON
) error {
	e, err := app.FromOS()
	if err != nil {
		return err
	}
	return app.Up(ctx, e, name, app.UpOptions{
		Route: deref(route), Size: size, Region: region, IPv6: ipv6,
		Yes: deref(yes), DryRun: deref(dryrun), JSON: deref(json), Timeout: deref(timeout),
	})
}
