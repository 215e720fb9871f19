//go:build mage

package main

import (
	"context"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/app"
)

// Infect makes a droplet that installs NixOS over itself with nixos-infect, follows the install, checks the result and writes its host entry.
func Infect(ctx context.Context,
	name *string, // droplet name; default DROPLET_NAME
	size *string, // size slug; default INFECT_SIZE
	region *string, // region slug; default DROPLET_REGION
	image *string, // stock image slug to infect; default DROPLET_IMAGE
	ipv6 *bool, // enable IPv6; default DROPLET_IPV6
	timeout *time.Duration, // how long to wait for the new droplet's SSH, from 1s to 1h; default 10m
	install *time.Duration, // how long the install may take, reboot included, from 1s to 4h30m; default 45m
	dryrun *bool, // check the droplet against the API and show it and its host entry; create nothing
) error {
	e, err := app.FromOS()
	if err != nil {
		return err
	}
	return app.Infect(ctx, e, app.InfectOptions{Overrides: app.Overrides{Name: name, Size: size, Region: region, Image: image, IPv6: ipv6, Timeout: timeout}, Install: deref(install), DryRun: deref(dryrun)})
}
