//go:build mage

package main

import (
	"context"
	"os"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/app"
)

// Sim serves a DigitalOcean API simulator for trying every target without an account.
func Sim(ctx context.Context,
	addr *string, // listen address; default 127.0.0.1:8455
	sshport *int, // port of each simulated droplet's SSH endpoint, from 1 to 65535; default 2222
	ssh *string, // host:port of a real sshd to forward droplet SSH to; default none (banner only)
	boot *time.Duration, // how long a droplet takes to become active (0s: at once), from 0s to 1h; default 8s
) error {
	e, err := app.Local()
	if err != nil {
		return err
	}
	o := app.SimOptions{Addr: app.SimAddr, SSHPort: app.SimSSHPort, Boot: app.SimBoot, SSHBackend: deref(ssh), Identity: e.Settings.SSHIdentity}
	if addr != nil {
		o.Addr = *addr
	}
	if sshport != nil {
		o.SSHPort = *sshport
	}
	if boot != nil {
		o.Boot = *boot
	}
	return app.Sim(ctx, o, os.Stdout, os.Stderr)
}

// Demo runs sizes, create, list and destroy against a built-in simulator: no account needed.
func Demo(ctx context.Context) error {
	e, err := app.Local()
	if err != nil {
		return err
	}
	return app.Demo(ctx, e)
}
