//go:build mage

package main

import (
	"context"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/app"
)

// Sizes prints the droplet sizes offered in the region, cheapest first, with the NixOS routes each can carry.
func Sizes(ctx context.Context,
	region *string, // region slug; default DROPLET_REGION
	json *bool, // print JSON instead of a table
) error {
	e, err := app.FromOS()
	if err != nil {
		return err
	}
	return app.Sizes(ctx, e, deref(region), deref(json))
}

// Create makes a droplet from digitalocean/settings.env and waits until it answers SSH.
func Create(ctx context.Context,
	name *string, // droplet name; default DROPLET_NAME
	size *string, // size slug; default DROPLET_SIZE
	region *string, // region slug; default DROPLET_REGION
	image *string, // image slug or custom image ID; default DROPLET_IMAGE
	ipv6 *bool, // enable IPv6; default DROPLET_IPV6
	timeout *time.Duration, // how long to wait for SSH, from 1s to 1h; default 10m
	json *bool, // print JSON instead of a table
) error {
	e, err := app.FromOS()
	if err != nil {
		return err
	}
	return app.Create(ctx, e, app.Overrides{Name: name, Size: size, Region: region, Image: image, IPv6: ipv6, Timeout: timeout}, deref(json))
}

// List prints the droplets this repo created, with addresses, age, price and an estimate of their cost so far.
func List(ctx context.Context,
	json *bool, // print JSON instead of a table
) error {
	e, err := app.FromOS()
	if err != nil {
		return err
	}
	return app.List(ctx, e, deref(json))
}

// Destroy deletes a droplet this repo created, by name or ID, after asking.
func Destroy(ctx context.Context, droplet string,
	yes *bool, // do not ask for confirmation
	force *bool, // allow a droplet this repo did not create
) error {
	e, err := app.FromOS()
	if err != nil {
		return err
	}
	return app.Destroy(ctx, e, droplet, deref(yes), deref(force))
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
