package app

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
	"github.com/Gleipnir-Technology/nixos-systems/internal/plan"
)

// create makes droplet name of size as `mage create -name=… -size=…` does:
// plain Debian, made by this repo, answering SSH.
func (u *upSetup) create(t *testing.T, name, size string) {
	t.Helper()
	if err := Create(context.Background(), u.Env, Overrides{Name: &name, Size: &size, IPv6: ptr(false)}, false); err != nil {
		t.Fatalf("create: %v\nstderr:\n%s", err, u.stderr)
	}
	u.Stdout.Reset()
}

// unchanged checks that since before (a count of mutations) nothing was
// asked of DigitalOcean and the droplet is where it was: active on size,
// without the tag of a detour, never installed.
func (u *upSetup) unchanged(t *testing.T, before int, size string) {
	t.Helper()
	if n := u.mutations() - before; n != 0 {
		t.Errorf("%d changing requests; actions %v", n, u.actionsPosted(t))
	}
	if d := u.droplet(t); d.SizeSlug != size || d.Status != "active" || plan.ReturnSize(d.Tags) != "" {
		t.Errorf("droplet %s %s with tags %v, want it active on %s as it was", d.SizeSlug, d.Status, d.Tags, size)
	}
	if u.runner.count() != 0 {
		t.Errorf("nixos-anywhere ran %d times", u.runner.count())
	}
}

// back checks that the droplet is active on size without a detour's tag.
func (u *upSetup) back(t *testing.T, size string) {
	t.Helper()
	if d := u.droplet(t); d.SizeSlug != size || d.Status != "active" || plan.ReturnSize(d.Tags) != "" {
		t.Errorf("droplet ends %s %s with tags %v, want it back on %s", d.SizeSlug, d.Status, d.Tags, size)
	}
}

// On a 1 GB droplet `up` did not make, the question comes before the
// detour: a no, or a check that fails, leaves the droplet as it was, with
// no tag and no action.
func TestUpAsksBeforeTheDetour(t *testing.T) {
	t.Parallel()
	u := newUpSetup(t, detourSim)
	u.create(t, "web5", "s-1vcpu-1gb")
	before := u.mutations()
	o := u.detourOptions()
	o.Yes = false

	u.In = strings.NewReader("n\n")
	err := Up(context.Background(), u.Env, "web5", o)
	if err == nil || !strings.Contains(err.Error(), "not installed: answer y to the question, or pass -yes") {
		t.Fatalf("answering n: %v", err)
	}
	if !strings.Contains(u.stderr.String(), "Wipe the disk of droplet web5") {
		t.Errorf("no question asked:\n%s", u.stderr)
	}
	u.unchanged(t, before, "s-1vcpu-1gb")

	// The checks that do not depend on the memory come first too.
	o = u.detourOptions()
	o.Files.Device = filepath.Join(t.TempDir(), "missing")
	err = Up(context.Background(), u.Env, "web5", o)
	if err == nil || !strings.Contains(err.Error(), "preflight of ") || !strings.Contains(err.Error(), "disk: "+o.Files.Device+" is missing") {
		t.Errorf("no /dev/vda: %v", err)
	}
	u.unchanged(t, before, "s-1vcpu-1gb")
}

// A refusal on a droplet that is on its detour size already (a run
// stopped after the resize) takes it back before the run ends.
func TestUpRefusalMidDetourGoesBack(t *testing.T) {
	t.Parallel()
	u := newUpSetup(t, detourSim)
	u.installsOnDetour(t)
	o := u.detourOptions()
	if err := u.interrupt(t, "cheap1", o, 7); err == nil { // after the resize to 2 GB
		t.Fatal("the interrupted run succeeded")
	}
	if d := u.droplet(t); d.SizeSlug != "s-1vcpu-2gb" || plan.ReturnSize(d.Tags) != "s-1vcpu-1gb" {
		t.Fatalf("droplet %s with tags %v after the interruption, want it on the detour size", d.SizeSlug, d.Tags)
	}

	o.Yes = false
	u.In = strings.NewReader("n\n")
	err := Up(context.Background(), u.Env, "cheap1", o)
	for _, want := range []string{"not installed: answer y to the question, or pass -yes", "droplet cheap1 went back to s-1vcpu-1gb", "is active on s-1vcpu-1gb"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v\nwant %q", err, want)
		}
	}
	u.back(t, "s-1vcpu-1gb")
	if u.runner.count() != 0 {
		t.Error("installed after a no")
	}

	// And yes then installs, by the detour again.
	u.In = strings.NewReader("y\n")
	if err := Up(context.Background(), u.Env, "cheap1", o); err != nil {
		t.Fatalf("up after yes: %v\nstderr:\n%s", err, u.stderr)
	}
	u.back(t, "s-1vcpu-1gb")
	if u.runner.count() != 1 {
		t.Errorf("%d installs", u.runner.count())
	}
}

// Without a Nix that can run nixos-anywhere, up stops before it creates
// or changes anything; a dry run shows why. A droplet on its detour size
// goes back.
func TestUpChecksTheLocalNixFirst(t *testing.T) {
	t.Parallel()
	for _, nix := range []string{"nix (Nix) 2.8.0", "missing"} {
		t.Run(nix, func(t *testing.T) {
			t.Parallel()
			u := newUpSetup(t, detourSim)
			o := u.detourOptions()
			want := "is older than Nix 2.18"
			if nix == "missing" {
				o.Runner, want = noNix{t}, "nix is not on PATH"
			} else {
				u.runner.nix = nix
			}

			err := Up(context.Background(), u.Env, "web2", o)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("new droplet: %v, want %q", err, want)
			}
			if n := u.mutations(); n != 0 || len(u.Sim.Droplets()) != 0 {
				t.Errorf("%d changing requests, %d droplets", n, len(u.Sim.Droplets()))
			}

			o.DryRun = true
			err = Up(context.Background(), u.Env, "web2", o)
			if err == nil || !strings.Contains(err.Error(), want) || !hasLine(u.Stdout.String(), "local nix: FAILED") {
				t.Errorf("dry run: %v\n%s", err, u.Stdout)
			}
			o.DryRun = false

			// An existing 1 GB droplet: no tag, no action.
			u.create(t, "web5", "s-1vcpu-1gb")
			before := u.mutations()
			if err := Up(context.Background(), u.Env, "web5", o); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("existing droplet: %v", err)
			}
			u.unchanged(t, before, "s-1vcpu-1gb")
		})
	}
}

// A run that cannot install takes the droplet back from its detour size,
// so that the next run, and `mage list`, find it on its own size; a failure
// after nixos-anywhere wrote the disk leaves it where the next run carries
// on.
func TestUpInstallFailureGoesBack(t *testing.T) {
	t.Parallel()
	u := newUpSetup(t, detourSim)
	u.installsOnDetour(t)
	o := u.detourOptions()

	// Nix built nothing: the droplet was not touched.
	building := ""
	u.runner.failIn = &building
	err := Up(context.Background(), u.Env, "cheap1", o)
	for _, want := range []string{"nixos-anywhere failed in phase build", "droplet cheap1 went back to s-1vcpu-1gb", "`mage up cheap1` continues from here"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v\nwant %q", err, want)
		}
	}
	u.back(t, "s-1vcpu-1gb")

	// The disk half written: the droplet stays where a run carries on.
	disko := "### Installing NixOS ###"
	u.runner.failIn = &disko
	err = Up(context.Background(), u.Env, "cheap1", o)
	if err == nil || !strings.Contains(err.Error(), "in phase disko") || !strings.Contains(err.Error(), "it goes back to s-1vcpu-1gb") {
		t.Errorf("disko: %v", err)
	}
	if d := u.droplet(t); d.SizeSlug != "s-1vcpu-2gb" || plan.ReturnSize(d.Tags) != "s-1vcpu-1gb" {
		t.Errorf("droplet %s with tags %v after a disko failure, want it on the detour size", d.SizeSlug, d.Tags)
	}

	if err := Up(context.Background(), u.Env, "cheap1", o); err != nil {
		t.Fatalf("up again: %v\nstderr:\n%s", err, u.stderr)
	}
	u.back(t, "s-1vcpu-1gb")
}

// DigitalOcean's shutdown may complete while the droplet runs on: the power
// is cut after the grace. One still in progress blocks every other action,
// the power_off included: up waits for it, within its bound, and never
// sends the power_off DigitalOcean would refuse with 422.
func TestUpDetourShutdownFaults(t *testing.T) {
	t.Parallel()
	t.Run("ignored", func(t *testing.T) {
		t.Parallel()
		u := newUpSetup(t, detourSim)
		u.installsOnDetour(t)
		u.Sim.AddActionFault(dosim.ActionFault{Type: "shutdown", Ignored: true, Times: 1})
		o := u.detourOptions()
		o.Actions.Shutdown = 200 * time.Millisecond
		if err := Up(context.Background(), u.Env, "cheap1", o); err != nil {
			t.Fatalf("up: %v\nstderr:\n%s", err, u.stderr)
		}
		want := []string{"shutdown", "power_off", "resize s-1vcpu-2gb disk=false", "power_on", "shutdown", "resize s-1vcpu-1gb disk=false", "power_on"}
		if diff := cmp.Diff(want, u.actionsPosted(t)); diff != "" {
			t.Errorf("actions (-want +got):\n%s", diff)
		}
		if !strings.Contains(u.stderr.String(), "still running 200ms after the shutdown; cutting the power") {
			t.Errorf("stderr:\n%s", u.stderr)
		}
		u.back(t, "s-1vcpu-1gb")
	})
	t.Run("stuck", func(t *testing.T) {
		t.Parallel()
		u := newUpSetup(t, detourSim)
		u.Sim.AddActionFault(dosim.ActionFault{Type: "shutdown", Stuck: true})
		o := u.detourOptions()
		o.Actions.Shutdown = 100 * time.Millisecond
		o.Actions.Pace.Timeout = 300 * time.Millisecond
		err := Up(context.Background(), u.Env, "cheap1", o)
		for _, want := range []string{"still in-progress: waited 300ms; the droplet takes no other action until it ends, so the power cannot be cut", "is active on s-1vcpu-1gb", "`mage up cheap1` continues from here"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("err = %v\nwant %q", err, want)
			}
		}
		if diff := cmp.Diff([]string{"shutdown"}, u.actionsPosted(t)); diff != "" {
			t.Errorf("actions (-want +got):\n%s", diff)
		}
		for _, r := range u.Sim.Requests() {
			if r.Status == http.StatusUnprocessableEntity {
				t.Errorf("%s %s was refused with 422", r.Method, r.Path)
			}
		}
	})
}
