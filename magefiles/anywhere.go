//go:build mage

package main

import (
	"context"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/app"
)

// Anywhere installs NixOS on a droplet with nixos-anywhere, wiping its disk: host=<IPv4 or droplet name>; it checks the droplet first, verifies the result and writes its host entry.
func Anywhere(ctx context.Context, host string,
	force *bool, // go on despite too little memory, an installed NixOS, or a machine this repo did not make
	yes *bool, // do not ask before wiping the disk
	dryrun *bool, // print the checks, the nixos-anywhere command and the host entry, install nothing
	timeout *time.Duration, // how long nixos-anywhere may run, from 1s to 3h; default 30m
) error {
	e, err := app.FromOSIfToken()
	if err != nil {
		return err
	}
	return app.Anywhere(ctx, e, host, app.AnywhereOptions{Force: deref(force), Yes: deref(yes), DryRun: deref(dryrun), Timeout: deref(timeout)})
}
