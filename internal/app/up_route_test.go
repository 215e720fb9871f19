package app

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/infect"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// nixos-infect runs only from the user data a droplet is made with: `up
// -route=infect` on a droplet `mage create` made says so at once, instead
// of waiting for an install that never starts.
func TestUpInfectRefusesAPlainDroplet(t *testing.T) {
	t.Parallel()
	u := newUpSetup(t, fastSim)
	u.create(t, "web2", "s-1vcpu-1gb")
	before := u.mutations()
	o := u.options()
	o.Route, o.Infect = "infect", u.infectOptions(t)
	o.Infect.Install = time.Hour // a follow would outlast the test

	err := Up(context.Background(), u.Env, "web2", o)

	for _, want := range []string{
		"droplet web2 was not made for route infect (it has no tag " + infect.Tag + " and no " + o.Infect.Paths.Status + ")",
		"run `mage up web2` (nixos-anywhere), or remove it with `mage destroy web2 -yes` and run `mage up web2 -route=infect` for a new one",
		"droplet web2 (id ",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v\nwant %q", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "continues from here") {
		t.Errorf("the error says running it again continues: %v", err)
	}
	if strings.Contains(u.stderr.String(), "following the install") {
		t.Errorf("up followed an install that never starts:\n%s", u.stderr)
	}
	if n := u.mutations() - before; n != 0 {
		t.Errorf("%d changing requests", n)
	}
}

// A droplet says which route it is on: its tag from its creation, then
// its host entry. up without -route takes that route; a -route its host
// entry contradicts, or anywhere where nixos-infect runs, is refused before
// anything changes.
func TestUpKeepsTheRoute(t *testing.T) {
	t.Parallel()
	u := newUpSetup(t, fastSim)
	ctx := context.Background()
	o := u.options()
	o.Route, o.Infect = "infect", u.infectOptions(t)
	if err := u.interrupt(t, "cheap1", o, 1); err == nil {
		t.Fatal("the interrupted run succeeded")
	}
	if d := u.droplet(t); !slices.Contains(d.Tags, infect.Tag) {
		t.Fatalf("the infect route's droplet has tags %v, want %s among them", d.Tags, infect.Tag)
	}

	// nixos-anywhere would wipe a droplet where nixos-infect runs.
	sshtest.WriteFile(t, o.Infect.Paths.Status, "running\n")
	anywhereRoute := o
	anywhereRoute.Route = "anywhere"
	before := u.mutations()
	err := Up(ctx, u.Env, "cheap1", anywhereRoute)
	want := "droplet cheap1 is on route infect (its " + o.Infect.Paths.Status + " says nixos-infect is running), not anywhere: run `mage up cheap1 -route=infect`"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v\nwant %q", err, want)
	}
	if n := u.mutations() - before; n != 0 || u.runner.count() != 0 {
		t.Errorf("%d changing requests, %d installs", n, u.runner.count())
	}

	// Without -route: the tag says infect.
	noRoute := o
	noRoute.Route = ""
	if err := u.infecting(t, o.Infect.Paths, func() error { return Up(ctx, u.Env, "cheap1", noRoute) }); err != nil {
		t.Fatalf("up without -route: %v\nstderr:\n%s", err, u.stderr)
	}
	if !strings.Contains(u.stderr.String(), "droplet cheap1 is on route infect (its tag "+infect.Tag+")\n") {
		t.Errorf("stderr does not say where the route came from:\n%s", u.stderr)
	}

	// Now a host: its entry says infect, whatever its tags.
	entry := filepath.Join(u.HostsDir, "cheap1", "host.json")
	if err := Up(ctx, u.Env, "cheap1", noRoute); err != nil {
		t.Fatalf("up on the host: %v\nstderr:\n%s", err, u.stderr)
	}
	if !strings.Contains(u.stderr.String(), "droplet cheap1 is on route infect (its host entry "+entry+")\n") {
		t.Errorf("stderr:\n%s", u.stderr)
	}
	before = u.mutations()
	err = Up(ctx, u.Env, "cheap1", anywhereRoute)
	want = "droplet cheap1 is on route infect (its host entry " + entry + "), not anywhere: run `mage up cheap1 -route=infect`, or remove it with `mage destroy cheap1 -yes` to start again"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
	if n := u.mutations() - before; n != 0 || len(u.Sim.Requests()) == 0 {
		t.Errorf("%d changing requests", n)
	}
}
