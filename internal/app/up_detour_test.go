package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"github.com/google/go-cmp/cmp"

	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
	"github.com/Gleipnir-Technology/nixos-systems/internal/plan"
	"github.com/Gleipnir-Technology/nixos-systems/internal/poll"
)

// detourSim carries out power and resize actions quickly.
var detourSim = func() dosim.Options {
	o := fastSim
	o.ActionTime = 20 * time.Millisecond
	return o
}()

// detourOptions are the flags of a test run with fast action waits.
func (u *upSetup) detourOptions() UpOptions {
	o := u.options()
	o.Actions.Pace = poll.Pace{Timeout: 5 * time.Second, FirstPoll: 10 * time.Millisecond, MaxPoll: 50 * time.Millisecond}
	o.Actions.Shutdown = 2 * time.Second
	return o
}

// droplet is the one droplet of the account, as the API shows it now.
func (u *upSetup) droplet(t testing.TB) godo.Droplet {
	t.Helper()
	ds := u.Sim.Droplets()
	if len(ds) != 1 {
		t.Fatalf("%d droplets, want 1", len(ds))
	}
	return ds[0]
}

// actionsPosted lists the droplet actions the simulator was asked for, as
// "type" or "resize size disk=bool".
func (u *upSetup) actionsPosted(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, r := range u.Sim.Requests() {
		if r.Method != "POST" || !strings.HasSuffix(r.Path, "/actions") || r.Status >= 300 {
			continue
		}
		var body struct {
			Type string `json:"type"`
			Size string `json:"size"`
			Disk bool   `json:"disk"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatal(err)
		}
		if body.Type == "resize" {
			out = append(out, fmt.Sprintf("resize %s disk=%t", body.Size, body.Disk))
			continue
		}
		out = append(out, body.Type)
	}
	return out
}

// installsOnDetour makes the fake nixos-anywhere note the droplet's memory
// and disk as it installs, and lay the layout on that disk.
func (u *upSetup) installsOnDetour(t testing.TB) *[]godo.Droplet {
	var mu sync.Mutex
	seen := &[]godo.Droplet{}
	u.runner.diskGB = func() int {
		d := u.droplet(t)
		mu.Lock()
		*seen = append(*seen, d)
		mu.Unlock()
		return d.Disk
	}
	return seen
}

// nixos-anywhere on the cheapest size, 1 GB: the droplet is resized, CPU
// and RAM only, to 2 GB for the install and back, and a second run changes
// nothing.
func TestUpAnywhereDetour1GB(t *testing.T) {
	u := newUpSetup(t, detourSim)
	seen := u.installsOnDetour(t)
	o := u.detourOptions()
	o.JSON = true

	if err := Up(context.Background(), u.Env, "cheap1", o); err != nil {
		t.Fatalf("up: %v\nstderr:\n%s", err, u.stderr)
	}
	if len(*seen) != 1 || (*seen)[0].Memory != 2048 || (*seen)[0].SizeSlug != "s-1vcpu-2gb" || (*seen)[0].Disk != 25 {
		t.Errorf("installed on %+v, want the 2 GB size with the 1 GB size's 25 GB disk", *seen)
	}
	want := []string{"shutdown", "resize s-1vcpu-2gb disk=false", "power_on", "shutdown", "resize s-1vcpu-1gb disk=false", "power_on"}
	if diff := cmp.Diff(want, u.actionsPosted(t)); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
	d := u.droplet(t)
	if d.SizeSlug != "s-1vcpu-1gb" || d.Status != "active" || d.Disk != 25 || plan.ReturnSize(d.Tags) != "" {
		t.Errorf("droplet ends %s %s, disk %d, tags %v", d.SizeSlug, d.Status, d.Disk, d.Tags)
	}
	var rep plan.Result
	if err := json.Unmarshal(u.Stdout.Bytes(), &rep); err != nil {
		t.Fatalf("%v\n%s", err, u.Stdout)
	}
	if rep.Detour != "s-1vcpu-2gb" || rep.Droplet.Size != "s-1vcpu-1gb" || rep.Droplet.PriceMonthly != 6 || !rep.Changed {
		t.Errorf("report %+v", rep)
	}
	// What the run cost is reckoned from its own length, not -timeout's,
	// all of it at the detour's price.
	if c := rep.Install; c.Seconds != rep.Seconds || c.At != "s-1vcpu-2gb" || c.Seconds >= UpTimeout.Seconds() {
		t.Errorf("install cost %+v for a run of %fs", c, rep.Seconds)
	}
	for _, c := range rep.Verified.Checks {
		if c.Status != "ok" {
			t.Errorf("check %s: %s %s", c.Name, c.Status, c.Detail)
		}
	}

	before := u.mutations()
	if err := Up(context.Background(), u.Env, "cheap1", o); err != nil {
		t.Fatalf("up again: %v\nstderr:\n%s", err, u.stderr)
	}
	if n := u.mutations() - before; n != 0 || u.runner.count() != 1 {
		t.Errorf("the second run sent %d changing requests and installed %d times", n, u.runner.count())
	}
}

// detourSteps is the number of steps of the anywhere route with a detour on
// a new droplet: create, power on, look, check, tag, power off, resize,
// power on, install, power off, resize back, power on, untag, verify,
// record the host.
const detourSteps = 15

// A Ctrl-C after any step of the detour leaves a droplet that says where it
// is, and `up` again finishes: installed once, back on 1 GB, untagged.
func TestUpDetourResumesAfterEveryStep(t *testing.T) {
	for k := 1; k < detourSteps; k++ {
		t.Run(fmt.Sprint("after step ", k), func(t *testing.T) {
			t.Parallel()
			u := newUpSetup(t, detourSim)
			u.installsOnDetour(t)
			o := u.detourOptions()
			err := u.interrupt(t, "cheap1", o, k)
			if err == nil || !strings.Contains(err.Error(), "context canceled") {
				t.Fatalf("interrupted run: %v", err)
			}
			d := u.droplet(t)
			for _, want := range []string{
				fmt.Sprintf("droplet cheap1 (id %d) is %s on %s at $%0.6f/hour ($%0.2f/month)", d.ID, d.Status, d.SizeSlug, d.Size.PriceHourly, d.Size.PriceMonthly),
				"`mage up cheap1` continues from here", "remove it with `mage destroy cheap1 -yes`",
			} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q: %v", want, err)
				}
			}
			if d.SizeSlug != "s-1vcpu-1gb" && !strings.Contains(err.Error(), "it goes back to s-1vcpu-1gb ($6.00/month)") {
				t.Errorf("a droplet on %s, and the error does not say it goes back: %v", d.SizeSlug, err)
			}
			if err := Up(context.Background(), u.Env, "cheap1", o); err != nil {
				t.Fatalf("resumed run: %v\nstderr:\n%s", err, u.stderr)
			}
			d = u.droplet(t)
			if d.SizeSlug != "s-1vcpu-1gb" || d.Status != "active" || plan.ReturnSize(d.Tags) != "" || u.runner.count() != 1 {
				t.Errorf("droplet ends %s %s with tags %v after %d installs", d.SizeSlug, d.Status, d.Tags, u.runner.count())
			}
			for _, a := range u.actionsPosted(t) {
				if strings.Contains(a, "disk=true") {
					t.Errorf("a resize grew the disk: %s", a)
				}
			}
		})
	}
}

// Each way a resize goes wrong stops the run with the droplet in a stated
// place, from which `up` again finishes.
func TestUpDetourResizeFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault dosim.ActionFault
		want  string
	}{
		{"refused (422)", dosim.ActionFault{Type: "resize", Status: http.StatusUnprocessableEntity, Times: 1}, "resize of droplet "},
		{"errored", dosim.ActionFault{Type: "resize", Errored: true, Times: 1}, "errored"},
		{"the way back errored", dosim.ActionFault{Type: "resize", Errored: true, Times: 1}, "errored"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := newUpSetup(t, detourSim)
			u.installsOnDetour(t)
			if i == 2 {
				// The first resize goes through; the fault meets the second.
				u.Sim.AddActionFault(dosim.ActionFault{Type: "resize", Times: 1})
			}
			u.Sim.AddActionFault(tc.fault)
			o := u.detourOptions()
			err := Up(context.Background(), u.Env, "cheap1", o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			d := u.droplet(t)
			if !strings.Contains(err.Error(), fmt.Sprintf("is %s on %s at $%0.6f/hour", d.Status, d.SizeSlug, d.Size.PriceHourly)) ||
				!strings.Contains(err.Error(), "`mage up cheap1` continues from here") {
				t.Errorf("the error does not say where the droplet is: %v", err)
			}
			if err := Up(context.Background(), u.Env, "cheap1", o); err != nil {
				t.Fatalf("up again: %v\nstderr:\n%s", err, u.stderr)
			}
			if d := u.droplet(t); d.SizeSlug != "s-1vcpu-1gb" || d.Status != "active" || u.runner.count() != 1 {
				t.Errorf("droplet ends %s %s after %d installs", d.SizeSlug, d.Status, u.runner.count())
			}
		})
	}
}

// A resize that never completes leaves the droplet refusing every other
// action; the run says so and where the droplet is.
func TestUpDetourResizeNeverCompletes(t *testing.T) {
	u := newUpSetup(t, detourSim)
	u.Sim.AddActionFault(dosim.ActionFault{Type: "resize", Stuck: true})
	o := u.detourOptions()
	o.Actions.Pace.Timeout = 300 * time.Millisecond
	err := Up(context.Background(), u.Env, "cheap1", o)
	for _, want := range []string{"still in-progress", "the droplet takes no other action until it ends", "is off on s-1vcpu-1gb", "`mage up cheap1` continues from here"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("err = %v\nwant %q", err, want)
		}
	}
	if u.runner.count() != 0 {
		t.Error("installed with the resize still going")
	}
	// Again: the resize is still in progress, and the run waits for it.
	err = Up(context.Background(), u.Env, "cheap1", o)
	if err == nil || !strings.Contains(err.Error(), "wait for actions still in progress") {
		t.Fatalf("second run: %v", err)
	}
}
