package dosim

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"github.com/google/go-cmp/cmp"
)

// Timings of the droplet-action tests: any values do, the clock is manual.
const (
	bootTime   = 40 * time.Second
	actionTime = 20 * time.Second
	sshDelay   = 10 * time.Second
)

// bootedDroplet creates a droplet from req (basicRequest when nil) and
// moves the clock until it is active and its SSH answers.
func bootedDroplet(t *testing.T, e *env, req *godo.DropletCreateRequest) *godo.Droplet {
	t.Helper()
	d, _ := e.createDroplet(t, req)
	e.clock.Advance(bootTime + sshDelay)
	if got := e.droplet(t, d.ID); got.Status != "active" {
		t.Fatalf("droplet %s after booting", got.Status)
	}
	return d
}

// actOn starts a droplet action through godo and checks the answer is the
// action just started, as DigitalOcean's 201 shows it.
func actOn(t *testing.T, e *env, d *godo.Droplet, typ string, do func() (*godo.Action, *godo.Response, error)) *godo.Action {
	t.Helper()
	a, resp, err := do()
	if err != nil {
		t.Fatalf("%s: %v", typ, err)
	}
	if resp.StatusCode != http.StatusCreated || a.Type != typ || a.Status != godo.ActionInProgress || a.CompletedAt != nil ||
		a.ResourceID != d.ID || a.ResourceType != "droplet" || a.RegionSlug != d.Region.Slug || a.StartedAt == nil {
		t.Errorf("%s answered %d %+v", typ, resp.StatusCode, a)
	}
	return a
}

// finish moves the clock to the end of action a and checks how it ended,
// both ways doctl and godo read an action.
func finish(t *testing.T, e *env, a *godo.Action, status string) {
	t.Helper()
	e.clock.Advance(actionTime - time.Nanosecond)
	if got := e.action(t, a.ID); got.Status != godo.ActionInProgress {
		t.Errorf("%s is %s before ActionTime", a.Type, got.Status)
	}
	e.clock.Advance(time.Nanosecond)
	got := e.action(t, a.ID)
	viaDroplet, _, err := e.client.DropletActions.Get(ctx, a.ResourceID, a.ID)
	if err != nil || got.Status != status || got.CompletedAt == nil || !cmp.Equal(got, viaDroplet) {
		t.Errorf("%s at ActionTime: %+v, via the droplet %+v, %v; want %s", a.Type, got, viaDroplet, err, status)
	}
}

func TestPowerOffAndOn(t *testing.T) {
	port := freePort(t)
	e := newEnv(t, Options{BootTime: bootTime, ActionTime: actionTime, SSHDelay: sshDelay, SSHPort: port, SSHBackend: standInSSHD(t)})
	d := bootedDroplet(t, e, nil)
	addr := sshAddr(t, e, d.ID, port)
	session, err := net.Dial("tcp", addr) // a session open across the power off
	if err != nil {
		t.Fatalf("SSH of the booted droplet: %v", err)
	}
	defer session.Close()
	_ = session.SetDeadline(time.Now().Add(10 * time.Second)) // a bound against hanging, not a speed limit
	r := bufio.NewReader(session)
	if line, err := r.ReadString('\n'); err != nil || line != standInBanner {
		t.Fatalf("banner %q, %v", line, err)
	}

	off := actOn(t, e, d, "power_off", func() (*godo.Action, *godo.Response, error) { return e.client.DropletActions.PowerOff(ctx, d.ID) })
	_, _, err = e.client.DropletActions.PowerOn(ctx, d.ID)
	wantStatus(t, err, http.StatusUnprocessableEntity, msgPendingEvent)
	if got := e.droplet(t, d.ID); got.Status != "active" {
		t.Errorf("droplet %s while powering off, want still active", got.Status)
	}
	finish(t, e, off, godo.ActionCompleted)
	if got := e.droplet(t, d.ID); got.Status != "off" || len(got.Networks.V4) != 2 {
		t.Errorf("after power_off: status %s, networks %+v; want off, addresses kept", got.Status, got.Networks)
	}
	var timeout net.Error
	if _, err := r.ReadString('\n'); err == nil || (errors.As(err, &timeout) && timeout.Timeout()) {
		t.Errorf("the SSH session survived the power off: %v", err)
	}
	if _, err := banner(addr); err == nil {
		t.Error("SSH answers while the droplet is off")
	}
	for name, again := range map[string]func(context.Context, int) (*godo.Action, *godo.Response, error){
		"power_off": e.client.DropletActions.PowerOff, "shutdown": e.client.DropletActions.Shutdown,
	} {
		_, _, err := again(ctx, d.ID)
		t.Run(name+" when off", func(t *testing.T) { wantStatus(t, err, http.StatusUnprocessableEntity, msgAlreadyOff) })
	}

	on := actOn(t, e, d, "power_on", func() (*godo.Action, *godo.Response, error) { return e.client.DropletActions.PowerOn(ctx, d.ID) })
	finish(t, e, on, godo.ActionCompleted)
	if got := e.droplet(t, d.ID); got.Status != "active" {
		t.Errorf("after power_on: %s", got.Status)
	}
	e.clock.Advance(sshDelay - time.Nanosecond)
	if _, err := banner(addr); err == nil {
		t.Error("SSH answers before SSHDelay has passed since the power on")
	}
	e.clock.Advance(time.Nanosecond)
	if line, err := banner(addr); err != nil || line != standInBanner {
		t.Errorf("SSH after the power on: %q, %v", line, err)
	}
	_, _, err = e.client.DropletActions.PowerOn(ctx, d.ID)
	wantStatus(t, err, http.StatusUnprocessableEntity, msgAlreadyOn)

	// shutdown, the graceful way, turns the droplet off the same way.
	down := actOn(t, e, d, "shutdown", func() (*godo.Action, *godo.Response, error) { return e.client.DropletActions.Shutdown(ctx, d.ID) })
	finish(t, e, down, godo.ActionCompleted)
	if got := e.droplet(t, d.ID); got.Status != "off" {
		t.Errorf("after shutdown: %s", got.Status)
	}

	actions, _, err := e.client.Droplets.Actions(ctx, d.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, a := range actions {
		types = append(types, a.Type+" "+a.Status)
	}
	want := []string{"create completed", "power_off completed", "power_on completed", "shutdown completed"}
	if diff := cmp.Diff(want, types); diff != "" {
		t.Errorf("the droplet's actions (-want +got):\n%s", diff)
	}
}

// resizedTo checks what every answer says about the droplet's size.
func resizedTo(t *testing.T, e *env, id int, slug string, disk int) {
	t.Helper()
	size, _ := sizeBySlug(slug)
	got := e.droplet(t, id)
	var listed godo.Droplet
	for _, d := range e.sim.Droplets() {
		if d.ID == id {
			listed = d
		}
	}
	for where, d := range map[string]*godo.Droplet{"get": got, "list": &listed} {
		if d.SizeSlug != slug || d.Size == nil || d.Size.Slug != slug || d.Memory != size.Memory || d.Vcpus != size.Vcpus ||
			d.Size.PriceMonthly != size.PriceMonthly || d.Size.PriceHourly != size.PriceHourly || d.Disk != disk ||
			d.Status != "off" {
			t.Errorf("%s: size %s, memory %d, vcpus %d, disk %d, price %+v, status %s; want %s with a %d GB disk, off",
				where, d.SizeSlug, d.Memory, d.Vcpus, d.Disk, d.Size, d.Status, slug, disk)
		}
	}
}

func TestResize(t *testing.T) {
	e := newEnv(t, Options{BootTime: bootTime, ActionTime: actionTime, SSHDelay: sshDelay})
	d := bootedDroplet(t, e, nil) // s-1vcpu-1gb: 25 GB disk
	resize := func(slug string, disk bool) func() (*godo.Action, *godo.Response, error) {
		return func() (*godo.Action, *godo.Response, error) {
			return e.client.DropletActions.Resize(ctx, d.ID, slug, disk)
		}
	}

	_, _, err := resize("s-1vcpu-2gb", false)()
	wantStatus(t, err, http.StatusUnprocessableEntity, msgPowerOffFirst)
	finish(t, e, actOn(t, e, d, "power_off", func() (*godo.Action, *godo.Response, error) { return e.client.DropletActions.PowerOff(ctx, d.ID) }), godo.ActionCompleted)

	for _, tc := range []struct {
		name, slug string
		disk       bool
		msg        string
	}{
		{"unknown size", "s-64vcpu-1tb", false, msgInvalidSize},
		{"size not in the region", "g-2vcpu-8gb", false, msgSizeNotInRegion},
		{"size sold nowhere", "so1_5-2vcpu-16gb", false, msgSizeNotInRegion},
		{"smaller disk", "s-1vcpu-512mb-10gb", false, msgDiskShrink},
		{"same size", "s-1vcpu-1gb", false, msgSameSize},
		{"same size, disk already that size", "s-1vcpu-1gb", true, msgSameSize},
		{"no size", "", false, msgSizeRequired},
	} {
		_, _, err := resize(tc.slug, tc.disk)()
		t.Run(tc.name, func(t *testing.T) { wantStatus(t, err, http.StatusUnprocessableEntity, tc.msg) })
	}
	resizedTo(t, e, d.ID, "s-1vcpu-1gb", 25)

	// CPU and RAM only: the disk stays 25 GB, so the way back is open.
	up := actOn(t, e, d, "resize", resize("s-1vcpu-2gb", false))
	resizedTo(t, e, d.ID, "s-1vcpu-1gb", 25) // until it completes
	finish(t, e, up, godo.ActionCompleted)
	resizedTo(t, e, d.ID, "s-1vcpu-2gb", 25)
	finish(t, e, actOn(t, e, d, "resize", resize("s-1vcpu-1gb", false)), godo.ActionCompleted)
	resizedTo(t, e, d.ID, "s-1vcpu-1gb", 25)

	// With the disk: 50 GB for good, and no way back to 25.
	finish(t, e, actOn(t, e, d, "resize", resize("s-1vcpu-2gb", true)), godo.ActionCompleted)
	resizedTo(t, e, d.ID, "s-1vcpu-2gb", 50)
	_, _, err = resize("s-1vcpu-1gb", false)()
	wantStatus(t, err, http.StatusUnprocessableEntity, msgDiskShrink)
	finish(t, e, actOn(t, e, d, "resize", resize("s-1vcpu-2gb-amd", false)), godo.ActionCompleted)
	resizedTo(t, e, d.ID, "s-1vcpu-2gb-amd", 50)

	// A disk left behind by a CPU-only resize can still grow to its size's.
	finish(t, e, actOn(t, e, d, "resize", resize("s-2vcpu-4gb", false)), godo.ActionCompleted)
	resizedTo(t, e, d.ID, "s-2vcpu-4gb", 50)
	finish(t, e, actOn(t, e, d, "resize", resize("s-2vcpu-4gb", true)), godo.ActionCompleted)
	resizedTo(t, e, d.ID, "s-2vcpu-4gb", 80)

	finish(t, e, actOn(t, e, d, "power_on", func() (*godo.Action, *godo.Response, error) { return e.client.DropletActions.PowerOn(ctx, d.ID) }), godo.ActionCompleted)
	if got := e.droplet(t, d.ID); got.Status != "active" || got.SizeSlug != "s-2vcpu-4gb" {
		t.Errorf("powered on after the resizes: %s, %s", got.Status, got.SizeSlug)
	}
}

func TestActionFaults(t *testing.T) {
	e := newEnv(t, Options{BootTime: bootTime, ActionTime: actionTime})
	d := bootedDroplet(t, e, nil)
	finish(t, e, actOn(t, e, d, "power_off", func() (*godo.Action, *godo.Response, error) { return e.client.DropletActions.PowerOff(ctx, d.ID) }), godo.ActionCompleted)
	resize := func() (*godo.Action, *godo.Response, error) {
		return e.client.DropletActions.Resize(ctx, d.ID, "s-1vcpu-2gb", false)
	}
	countActions := func() int {
		t.Helper()
		actions, _, err := e.client.Droplets.Actions(ctx, d.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		return len(actions)
	}

	// A 422 on resize: nothing starts; the next resize goes through.
	e.sim.AddActionFault(ActionFault{Type: "resize", Status: http.StatusUnprocessableEntity, Times: 1})
	before := countActions()
	_, _, err := resize()
	wantStatus(t, err, http.StatusUnprocessableEntity, msgNoCapacity)
	if countActions() != before {
		t.Error("a refused resize left an action")
	}
	resizedTo(t, e, d.ID, "s-1vcpu-1gb", 25)

	// An errored resize changes nothing, and the droplet takes the next one.
	e.sim.AddActionFault(ActionFault{Type: "resize", Errored: true, Times: 1})
	finish(t, e, actOn(t, e, d, "resize", resize), actionErrored)
	resizedTo(t, e, d.ID, "s-1vcpu-1gb", 25)
	finish(t, e, actOn(t, e, d, "resize", resize), godo.ActionCompleted)
	resizedTo(t, e, d.ID, "s-1vcpu-2gb", 25)

	// An ignored shutdown completes, and the droplet runs on and takes
	// the next action.
	finish(t, e, actOn(t, e, d, "power_on", func() (*godo.Action, *godo.Response, error) { return e.client.DropletActions.PowerOn(ctx, d.ID) }), godo.ActionCompleted)
	e.sim.AddActionFault(ActionFault{Type: "shutdown", Ignored: true, Times: 1})
	finish(t, e, actOn(t, e, d, "shutdown", func() (*godo.Action, *godo.Response, error) { return e.client.DropletActions.Shutdown(ctx, d.ID) }), godo.ActionCompleted)
	if got := e.droplet(t, d.ID); got.Status != "active" {
		t.Errorf("droplet %s after an ignored shutdown, want active", got.Status)
	}
	finish(t, e, actOn(t, e, d, "power_off", func() (*godo.Action, *godo.Response, error) { return e.client.DropletActions.PowerOff(ctx, d.ID) }), godo.ActionCompleted)
	if got := e.droplet(t, d.ID); got.Status != "off" {
		t.Errorf("droplet %s after the power_off, want off", got.Status)
	}

	// A power_on that never completes: the droplet stays off and refuses
	// every further action.
	e.sim.AddActionFault(ActionFault{Type: "power_on", Stuck: true})
	on := actOn(t, e, d, "power_on", func() (*godo.Action, *godo.Response, error) { return e.client.DropletActions.PowerOn(ctx, d.ID) })
	e.clock.Advance(24 * time.Hour)
	if a := e.action(t, on.ID); a.Status != godo.ActionInProgress || a.CompletedAt != nil {
		t.Errorf("stuck power_on a day later: %+v", a)
	}
	if got := e.droplet(t, d.ID); got.Status != "off" {
		t.Errorf("droplet %s under a stuck power_on, want off", got.Status)
	}
	_, _, err = e.client.DropletActions.PowerOff(ctx, d.ID)
	wantStatus(t, err, http.StatusUnprocessableEntity, msgPendingEvent)

	// Other statuses come with DigitalOcean's message for them.
	other := newEnv(t, Options{})
	od, _ := other.createDroplet(t, nil)
	other.sim.AddActionFault(ActionFault{Status: http.StatusInternalServerError})
	_, _, err = other.client.DropletActions.PowerOff(ctx, od.ID)
	wantStatus(t, err, http.StatusInternalServerError, msgServerError)
}

func TestActionRefusals(t *testing.T) {
	e := newEnv(t, Options{BootTime: bootTime})
	d, _ := e.createDroplet(t, nil)
	_, _, err := e.client.DropletActions.PowerOff(ctx, d.ID)
	wantStatus(t, err, http.StatusUnprocessableEntity, msgPendingEvent) // still being created
	e.clock.Advance(bootTime)

	_, _, err = e.client.DropletActions.Reboot(ctx, d.ID)
	wantStatus(t, err, http.StatusUnprocessableEntity, msgActionNotSimulated)
	_, _, err = e.client.DropletActions.PowerOff(ctx, d.ID+1000)
	wantStatus(t, err, http.StatusNotFound, msgNotFound)
	if resp := e.raw(t, http.MethodPost, fmt.Sprintf("/v2/droplets/%d/actions", d.ID), `{"type":`); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("malformed body: %d, want 400", resp.StatusCode)
	}

	broken := newEnv(t, Options{ActionsError: true})
	bd, _ := broken.createDroplet(t, nil)
	_, _, err = broken.client.DropletActions.PowerOff(ctx, bd.ID)
	wantStatus(t, err, http.StatusUnprocessableEntity, msgNotBooted)
}
