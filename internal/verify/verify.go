// Package verify checks that a droplet came back from a reinstall as the
// NixOS system this repository defines: it answers SSH with the host key it
// had, runs NixOS, and holds its DigitalOcean addresses; a boot that left
// failed units is reported as a warning. Both routes that
// reinstall a running droplet (nixos-anywhere and nixos-infect) end with Run.
package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/cmdline"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
)

// RecoveryConsoleURL explains DigitalOcean's recovery console: the way into
// a droplet that SSH does not let in.
const RecoveryConsoleURL = "https://docs.digitalocean.com/products/droplets/how-to/recovery/recovery-console/"

// Expect is what the droplet must show.
type Expect struct {
	IPv4, IPv6  string            // the droplet's public addresses from the API; "" leaves that address unchecked
	Layout      bool              // check the disk layout of nixos-anywhere/disk-config.nix
	OSRelease   string            // the file naming the system; "" = DefaultOSRelease
	Disks       string            // a file holding lsblk's JSON, read instead of running lsblk; "" = run it (tests point it at a fixture)
	Units       string            // a file holding systemd's state and failed units as unitsCommand prints them, read instead of asking systemctl; "" = ask it
	WaitTimeout time.Duration     // how long SSH may take to come back; 0 = 10m
	Poll        time.Duration     // pause between SSH probes while waiting; 0 = 2s
	Log         io.Writer         // progress while waiting; nil = discard
	Explain     func(error) error // adds what to do to a failed check's error; nil = nothing
}

func (e *Expect) defaults() {
	if e.WaitTimeout == 0 {
		e.WaitTimeout = 10 * time.Minute
	}
	if e.Poll == 0 {
		e.Poll = 2 * time.Second
	}
	if e.Log == nil {
		e.Log = io.Discard
	}
}

// Run waits, at most want.WaitTimeout, for host to answer SSH on cfg's port,
// logs in with cfg (its known_hosts must hold the key the host had before the
// reinstall, so a changed key fails the "host key" check with a
// *remote.HostKeyChangedError), and checks what want asks for. The report
// lists every check made; the error, a *Failure wrapped with the way to the
// recovery console, is nil only if none failed (a warning, such as failed
// units, is not a failure). Printing the report is the
// caller's choice.
func Run(ctx context.Context, host string, cfg remote.Config, want Expect) (Report, error) {
	want.defaults()
	rep := Report{Subject: "verify " + host, Explain: want.Explain}
	if err := waitForSSH(ctx, host, cfg, want, &rep); err != nil {
		return rep, err
	}
	c, err := remote.Dial(ctx, host, cfg)
	var changed *remote.HostKeyChangedError
	switch {
	case errors.As(err, &changed):
		rep.Add(Fail("host key", err))
		return rep, failed(rep)
	case err != nil:
		rep.Add(Fail("login", err))
		return rep, failed(rep)
	}
	defer c.Close()
	rep.Add(Pass("host key", c.HostKeyFingerprint()+", as known_hosts has it"))
	rep.Add(Pass("login", "the key was accepted"))

	nixos := checkNixOS(ctx, c, want.OSRelease)
	rep.Add(nixos)
	if want.Layout {
		detail, err := checkLayout(ctx, c, want.Disks)
		rep.Add(result("layout", detail, err))
	}
	if want.IPv4 != "" || want.IPv6 != "" {
		ifaces, err := readInterfaces(ctx, c)
		for _, a := range []struct{ name, addr string }{{"ipv4", want.IPv4}, {"ipv6", want.IPv6}} {
			if a.addr == "" {
				continue
			}
			if err != nil {
				rep.Add(Fail(a.name, err))
				continue
			}
			detail, err := findAddress(ifaces, a.addr)
			rep.Add(result(a.name, detail, err))
		}
	}
	if nixos.Status == OK {
		// Last: it waits for the boot to finish.
		rep.Add(checkUnits(ctx, c, want.Units))
	}
	if ctx.Err() != nil {
		return rep, fmt.Errorf("verify %s interrupted: %w", host, context.Cause(ctx))
	}
	return rep, failed(rep)
}

// waitForSSH adds the "ssh" check: the host answers within want.WaitTimeout.
// A cancelled ctx ends the wait with ctx's error rather than a failed check.
func waitForSSH(ctx context.Context, host string, cfg remote.Config, want Expect, rep *Report) error {
	addr := cfg.Addr(host)
	start := time.Now()
	fmt.Fprintf(want.Log, "waiting up to %s for SSH on %s\n", cmdline.Format(want.WaitTimeout), addr)
	wctx, cancel := context.WithTimeout(ctx, want.WaitTimeout)
	defer cancel()
	err := remote.WaitForSSH(wctx, addr, want.Poll, func(elapsed time.Duration) {
		fmt.Fprintf(want.Log, "  still waiting for SSH on %s (%s of %s)\n", addr, cmdline.Format(elapsed.Round(time.Second)), cmdline.Format(want.WaitTimeout))
	})
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("verify %s interrupted while waiting for SSH: %w", host, context.Cause(ctx))
	case err != nil:
		rep.Add(Fail("ssh", fmt.Errorf("no answer within %s: %w", cmdline.Format(want.WaitTimeout), err)))
		return failed(*rep)
	}
	waited := time.Since(start).Round(time.Second)
	fmt.Fprintf(want.Log, "%s answers SSH after %s\n", addr, cmdline.Format(waited))
	rep.Add(Pass("ssh", fmt.Sprintf("%s answers after %s", addr, cmdline.Format(waited))))
	return nil
}

func checkNixOS(ctx context.Context, c *remote.Client, path string) Check {
	o, err := ReadOSRelease(ctx, c, path)
	switch {
	case err != nil:
		return Fail("nixos", err)
	case o.IsInstaller():
		return Fail("nixos", fmt.Errorf("%s is the NixOS installer, not the installed system: the install did not finish", o))
	case !o.IsNixOS():
		return Fail("nixos", fmt.Errorf("%s is not NixOS: the droplet still boots its old system", o))
	}
	return Pass("nixos", o.String())
}

func result(name, detail string, err error) Check {
	if err != nil {
		return Fail(name, err)
	}
	return Pass(name, detail)
}

// failed is rep's failure with the way in that still works when SSH does not.
func failed(rep Report) error {
	if err := rep.Err(); err != nil {
		return fmt.Errorf("%w; if SSH does not get you in, use DigitalOcean's recovery console: %s", err, RecoveryConsoleURL)
	}
	return nil
}
