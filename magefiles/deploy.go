//go:build mage

package main

import (
	"context"

	"github.com/Gleipnir-Technology/nixos-systems/internal/app"
)

// Deploy brings the hosts in hosts/ to what the flake says with the pinned deploy-rs: one run per host, in parallel, each rolling back by itself if it fails (magic rollback); a summary table follows.
func Deploy(ctx context.Context,
	hosts *string, // comma-separated host names (folders of hosts/); default every host
	dryrun *bool, // print the commands, run nothing
	parallel *int, // hosts deployed at once, from 1 to 64; default 4
	skipchecks *bool, // skip the flake's checks (nix flake check), run once before the deploys
) error {
	e, err := app.Local()
	if err != nil {
		return err
	}
	return app.Deploy(ctx, e, app.DeployOptions{Hosts: deref(hosts), DryRun: deref(dryrun), Parallel: deref(parallel), SkipChecks: deref(skipchecks)})
}
