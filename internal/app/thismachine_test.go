package app

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/Gleipnir-Technology/nixos-systems/internal/anywhere"
	"github.com/Gleipnir-Technology/nixos-systems/internal/deploy"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// These run the real runners (none injected) against droplets of the
// simulator, whose loopback addresses lead to a real sshd on this machine,
// as `mage sim -ssh=127.0.0.1:22` forwards them; a stub nix new enough to
// run nixos-anywhere and deploy-rs is first on PATH, and answers only
// `--version`. They are not parallel: they set PATH.

// onlyVersionAsked fails the test if the stub nix was asked anything but
// its version.
func onlyVersionAsked(t *testing.T, calls string) {
	t.Helper()
	for _, c := range sshtest.Calls(t, calls) {
		if c != "nix --version" {
			t.Errorf("nix ran: %q", c)
		}
	}
}

// anywhere refuses, -force and -yes or not, before it logs in, and its
// dry run shows the failed check.
func TestAnywhereRealRunnerRefusesThisMachine(t *testing.T) {
	a := newAnywhereSetup(t)
	calls := sshtest.NixOnPath(t, "nix (Nix) 2.24.10")
	before := a.mutations()

	err := Anywhere(context.Background(), a.Env, a.droplet.Name, AnywhereOptions{Yes: true, Force: true, Files: a.files})

	var here *anywhere.ThisMachineError
	want := "target: " + a.ip + " is this machine (a loopback address): nixos-anywhere would wipe its disk; run it from another machine"
	if !errors.As(err, &here) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("error = %v\nwant one line containing %q", err, want)
	}
	out := a.Stdout.String()
	if !hasLine(out, "target: FAILED "+a.ip+" is this machine") || hasLine(out, "login:") {
		t.Errorf("stdout:\n%s\nwant the target failed and no login", out)
	}
	if strings.Contains(a.Stderr.String(), "installing NixOS") || strings.Contains(a.Stderr.String(), "Wipe the disk") {
		t.Errorf("stderr:\n%s", a.Stderr)
	}
	onlyVersionAsked(t, calls)

	a.Stdout.Reset()
	err = Anywhere(context.Background(), a.Env, "host="+a.ip, AnywhereOptions{DryRun: true, Files: a.files})
	if !errors.As(err, &here) || !hasLine(a.Stdout.String(), "target: FAILED "+a.ip+" is this machine") {
		t.Errorf("dry run: %v\n%s", err, a.Stdout)
	}
	onlyVersionAsked(t, calls)
	if n := a.mutations() - before; n != 0 {
		t.Errorf("%d changing requests", n)
	}
}

// up on a droplet that exists refuses before anything changes: no
// request that changes the account, no action, no detour; the dry run
// shows the failed check.
func TestUpRealRunnerRefusesThisMachine(t *testing.T) {
	u := newUpSetup(t, detourSim)
	u.create(t, "web5", "s-1vcpu-1gb")
	calls := sshtest.NixOnPath(t, "nix (Nix) 2.24.10")
	before := u.mutations()
	o := u.detourOptions()
	o.Runner = nil
	d := u.droplet(t)
	ip, _ := d.PublicIPv4()

	err := Up(context.Background(), u.Env, "web5", o)

	var here *anywhere.ThisMachineError
	want := ip + " is this machine (a loopback address): nixos-anywhere would wipe its disk; run it from another machine"
	if !errors.As(err, &here) || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("error = %v\nwant one line starting %q", err, want)
	}
	u.unchanged(t, before, "s-1vcpu-1gb")
	if posted := u.actionsPosted(t); len(posted) != 0 {
		t.Errorf("actions %v", posted)
	}
	if strings.Contains(u.stderr.String(), "==> 1/") {
		t.Errorf("a step ran:\n%s", u.stderr)
	}

	o.DryRun = true
	err = Up(context.Background(), u.Env, "web5", o)
	if !errors.As(err, &here) || !hasLine(u.Stdout.String(), "target: FAILED "+ip+" is this machine") {
		t.Errorf("dry run: %v\n%s", err, u.Stdout)
	}
	u.unchanged(t, before, "s-1vcpu-1gb")
	onlyVersionAsked(t, calls)
}

// up making a droplet learns its address only once it is made: it stops
// at the check before the detour, with no action, and names the droplet
// to remove rather than a run that would stop there again.
func TestUpRealRunnerNewDropletOnThisMachine(t *testing.T) {
	u := newUpSetup(t, detourSim)
	calls := sshtest.NixOnPath(t, "nix (Nix) 2.24.10")
	o := u.detourOptions()
	o.Runner = nil

	err := Up(context.Background(), u.Env, "web6", o)

	var here *anywhere.ThisMachineError
	if !errors.As(err, &here) || strings.Contains(err.Error(), "\n") ||
		!strings.HasSuffix(err.Error(), "; it is still there and billed: see `mage list`, remove it with `mage destroy web6 -yes`") ||
		strings.Contains(err.Error(), "continues") {
		t.Fatalf("error = %v, want this machine refused and the droplet named to remove", err)
	}
	u.back(t, "s-1vcpu-1gb")
	if posted := u.actionsPosted(t); len(posted) != 0 {
		t.Errorf("actions %v", posted)
	}
	onlyVersionAsked(t, calls)
}

// deploy-rs never deploys to a host entry at this machine's address: the
// deploy and its dry run are refused before the preflight and the checks.
func TestDeployRealRunnerRefusesThisMachine(t *testing.T) {
	d := newDeploySetup(t, "web1", "web2")
	calls := sshtest.NixOnPath(t, "nix (Nix) 2.24.10")

	for _, dry := range []bool{false, true} {
		d.opts.DryRun = dry
		err := Deploy(context.Background(), d.Env, d.opts)

		var here *deploy.ThisMachineError
		if !errors.As(err, &here) || here.Host != "web1" || strings.Contains(err.Error(), "\n") ||
			!strings.Contains(err.Error(), "deploy-rs would switch this machine's system to host web1's; correct the address in ") {
			t.Errorf("dry run %t: error = %v", dry, err)
		}
		if d.Stdout.Len() != 0 || d.Stderr.Len() != 0 {
			t.Errorf("dry run %t: stdout:\n%s\nstderr:\n%s", dry, d.Stdout, d.Stderr)
		}
	}
	if got := sshtest.Calls(t, calls); len(got) != 0 {
		t.Errorf("nix ran: %q", got)
	}
}
