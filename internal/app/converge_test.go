package app

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/settings"
)

// handMade makes a droplet of this repo's (tagged nixos-systems only, in the
// default project) the way an earlier run that stopped after the create
// leaves it, with region changed as given.
func handMade(t *testing.T, te *testEnv, region string) *godo.Droplet {
	t.Helper()
	d, _, err := te.Client.Droplets.Create(context.Background(), &godo.DropletCreateRequest{
		Name: te.Settings.Name, Region: region, Size: te.Settings.Size, IPv6: te.Settings.IPv6,
		Image: godo.DropletCreateImage{Slug: te.Settings.Image}, SSHKeys: []godo.DropletCreateSSHKey{},
		Tags: []string{settings.ManagedTag},
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// requests counts the requests the simulator saw with method whose path starts with prefix.
func (te *testEnv) requests(method, prefix string) int {
	n := 0
	for _, r := range te.Sim.Requests() {
		if r.Method == method && strings.HasPrefix(r.Path, prefix) {
			n++
		}
	}
	return n
}

// Re-running create on a droplet an earlier run left unfinished brings it
// to the settings and says what it repaired; a third run has nothing to do.
func TestCreateRepairsExistingDroplet(t *testing.T) {
	te := newTestEnv(t, fastSim)
	d := handMade(t, te, te.Settings.Region)
	te.Stderr.Reset()

	if err := Create(context.Background(), te.Env, Overrides{}, false); err != nil {
		t.Fatalf("%v\n%s", err, te.Stderr)
	}

	want := "repaired droplet nixos-1 (id " + strconv.Itoa(d.ID) + "): tagged nixos; moved to project nidus (" + dosim.SeedProjectID + ")\n"
	if !strings.Contains(te.Stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, te.Stderr)
	}
	assertConverged(t, te, d.ID)
	if n := te.requests("POST", "/v2/droplets"); n != 1 {
		t.Errorf("%d droplet creates, want only the first", n)
	}

	te.Stderr.Reset()
	before := te.mutations()
	if err := Create(context.Background(), te.Env, Overrides{}, false); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(te.Stderr.String(), "repaired") || te.mutations() != before {
		t.Errorf("a converged droplet was repaired again (%d requests that change things):\n%s", te.mutations()-before, te.Stderr)
	}
}

// assertConverged checks the simulator's account: one droplet, id, in the
// settings' project and carrying their tags.
func assertConverged(t *testing.T, te *testEnv, id int) {
	t.Helper()
	ds := te.Sim.Droplets()
	if len(ds) != 1 || ds[0].ID != id {
		t.Fatalf("droplets %v, want only %d", ds, id)
	}
	if p, _ := te.Sim.Project(id); p != te.Settings.Project {
		t.Errorf("droplet in project %s, want %s", p, te.Settings.Project)
	}
	for _, tag := range te.Settings.AllTags() {
		if !slices.Contains(ds[0].Tags, tag) {
			t.Errorf("droplet tags %v lack %s", ds[0].Tags, tag)
		}
	}
}

// What cannot change in place is named, with the ways out, and nothing is changed.
func TestCreateRefusesDifferingDroplet(t *testing.T) {
	te := newTestEnv(t, fastSim)
	d := handMade(t, te, "nyc3")
	before := te.mutations()

	err := Create(context.Background(), te.Env, Overrides{Size: ptr("s-2vcpu-4gb")}, false)

	var differs *droplets.DiffersError
	if !errors.As(err, &differs) {
		t.Fatalf("err = %v, want a DiffersError", err)
	}
	want := "droplet nixos-1 (id " + strconv.Itoa(d.ID) + ") exists with region nyc3 (asked: sfo3), size s-1vcpu-2gb (asked: s-2vcpu-4gb); " +
		"these are not changed in place: ask for what it has (-region=nyc3 -size=s-1vcpu-2gb), choose another -name, or remove it with `mage destroy nixos-1 -yes` and run again"
	if err.Error() != want {
		t.Errorf("err =\n  %v\nwant\n  %s", err, want)
	}
	if n := te.mutations(); n != before {
		t.Errorf("%d requests changed the account", n-before)
	}
	// Only the refusal is said: not the size and price of a droplet that
	// will not be made, nor that the existing one is taken as it is.
	for _, s := range []string{"s-2vcpu-4gb", "/month", "not creating another"} {
		if strings.Contains(te.Stderr.String(), s) {
			t.Errorf("stderr says %q before the refusal:\n%s", s, te.Stderr)
		}
	}
}

// The case: the droplet is made but its project assignment keeps
// failing; the run stops saying so, and the next run finishes it.
func TestCreateFinishesWhatAFailedRunLeft(t *testing.T) {
	te := newTestEnv(t, fastSim)
	te.Sim.AddFault(dosim.Fault{Method: "POST", Path: "/v2/projects/", Status: 503, Times: 5}) // more than the retries

	err := Create(context.Background(), te.Env, Overrides{}, false)

	var stranded *droplets.StrandedError
	if !errors.As(err, &stranded) || !stranded.Unfinished || !strings.Contains(err.Error(), "run the same target again to finish it") {
		t.Fatalf("err = %v, want the unfinished droplet named", err)
	}
	if n := te.requests("POST", "/v2/projects/"); n != 5 {
		t.Errorf("%d assignment attempts, want 5 (retried as a read is)", n)
	}
	te.Stderr.Reset()
	if err := Create(context.Background(), te.Env, Overrides{}, false); err != nil {
		t.Fatalf("second run: %v\n%s", err, te.Stderr)
	}
	if !strings.Contains(te.Stderr.String(), "moved to project nidus") {
		t.Errorf("the second run did not say it moved the droplet:\n%s", te.Stderr)
	}
	assertConverged(t, te, stranded.ID)
}
