package actions

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"github.com/google/go-cmp/cmp"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/poll"
)

// fake is one droplet and its actions, following DigitalOcean's rules that
// matter here: a resize needs the droplet off, and a disk that was not
// resized lets the droplet go back. Each action completes after it has
// been read `reads` times.
type fake struct {
	mu      sync.Mutex
	status  string
	size    string
	actions map[int]*fakeAction
	posted  []string
	reads   int

	ignoreShutdown bool   // the OS does not react to the shutdown
	refuse         string // action type answered with 422
	errored        string // action type that ends errored
	stuck          string // action type that never completes
	onPost         func() // called once an action is posted
	lose           string // action type whose answer is lost once, after it started
	fail           string // action type answered with a 500 once, before it started
}

type fakeAction struct {
	typ   string
	reads int
	done  bool
	apply func()
}

func newFake(status, size string) *fake {
	return &fake{status: status, size: size, actions: map[int]*fakeAction{}, reads: 2}
}

func (f *fake) Get(_ context.Context, id int) (*godo.Droplet, *godo.Response, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tick()
	return &godo.Droplet{ID: id, Status: f.status, SizeSlug: f.size}, nil, nil
}

func (f *fake) Actions(_ context.Context, _ int, _ *godo.ListOptions) ([]godo.Action, *godo.Response, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []godo.Action
	for id := 1; id <= len(f.actions); id++ {
		out = append(out, *f.view(id))
	}
	return out, nil, nil
}

// tick moves time on: every read brings each action a step nearer its end.
// The caller holds f.mu.
func (f *fake) tick() {
	for _, a := range f.actions {
		switch {
		case a.done || a.typ == f.stuck:
		case a.reads < f.reads:
			a.reads++
		default:
			a.done = true
			if a.typ != f.errored {
				a.apply()
			}
		}
	}
}

// post starts an action of typ, or refuses it as DigitalOcean does: with
// 422 while another action of the droplet is in progress.
func (f *fake) post(typ string, apply func()) (*godo.Action, *godo.Response, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.posted = append(f.posted, typ)
	answer := func(status int, msg string) error {
		return &godo.ErrorResponse{Response: &http.Response{StatusCode: status, Request: &http.Request{Method: "POST"}}, Message: msg}
	}
	switch {
	case f.fail == typ:
		f.fail = ""
		return nil, nil, answer(500, "Server Error")
	case f.refuse == typ:
		return nil, nil, answer(422, "droplet is not powered off")
	}
	for _, a := range f.actions {
		if !a.done {
			return nil, nil, answer(422, "Droplet already has a pending event.")
		}
	}
	id := len(f.actions) + 1
	f.actions[id] = &fakeAction{typ: typ, apply: apply}
	if f.onPost != nil {
		f.onPost()
	}
	if f.lose == typ {
		f.lose = ""
		return nil, nil, errors.New("connection reset by peer")
	}
	return &godo.Action{ID: id, Status: godo.ActionInProgress, Type: typ}, nil, nil
}

func (f *fake) Shutdown(_ context.Context, _ int) (*godo.Action, *godo.Response, error) {
	return f.post("shutdown", func() {
		if !f.ignoreShutdown {
			f.status = StatusOff
		}
	})
}

func (f *fake) PowerOff(_ context.Context, _ int) (*godo.Action, *godo.Response, error) {
	return f.post("power_off", func() { f.status = StatusOff })
}

func (f *fake) PowerOn(_ context.Context, _ int) (*godo.Action, *godo.Response, error) {
	return f.post("power_on", func() { f.status = StatusActive })
}

func (f *fake) Resize(_ context.Context, _ int, size string, disk bool) (*godo.Action, *godo.Response, error) {
	if disk {
		return nil, nil, errors.New("the test never resizes disks")
	}
	return f.post("resize", func() { f.size = size })
}

func (f *fake) action(id int) *godo.Action {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tick()
	return f.view(id)
}

// view is action id as the API shows it; the caller holds f.mu.
func (f *fake) view(id int) *godo.Action {
	a := f.actions[id]
	status := godo.ActionInProgress
	switch {
	case a.done && a.typ == f.errored:
		status = doapi.ActionErrored
	case a.done:
		status = godo.ActionCompleted
	}
	return &godo.Action{ID: id, Status: status, Type: a.typ}
}

// actionsOf adapts the fake to DropletActions, whose Get clashes with the
// droplets' Get.
type actionsOf struct{ *fake }

func (a actionsOf) Get(_ context.Context, _ int, actionID int) (*godo.Action, *godo.Response, error) {
	return a.action(actionID), nil, nil
}

func client(f *fake, log *bytes.Buffer) Client {
	return Client{
		Droplets: f, Actions: actionsOf{f}, Shutdown: 50 * time.Millisecond,
		Pace: poll.Pace{Timeout: 200 * time.Millisecond, FirstPoll: time.Millisecond, MaxPoll: 2 * time.Millisecond, Log: log},
	}
}

func TestPowerOffShutsDownGracefully(t *testing.T) {
	f := newFake(StatusActive, "s-1vcpu-1gb")
	if err := client(f, &bytes.Buffer{}).PowerOff(context.Background(), 7); err != nil {
		t.Fatal(err)
	}
	if f.status != StatusOff || !cmp.Equal(f.posted, []string{"shutdown"}) {
		t.Errorf("status %s, posted %v", f.status, f.posted)
	}
}

func TestPowerOffCutsThePowerAfterTheGrace(t *testing.T) {
	f := newFake(StatusActive, "s-1vcpu-1gb")
	f.ignoreShutdown = true
	var log bytes.Buffer
	if err := client(f, &log).PowerOff(context.Background(), 7); err != nil {
		t.Fatal(err)
	}
	if f.status != StatusOff || !cmp.Equal(f.posted, []string{"shutdown", "power_off"}) {
		t.Errorf("status %s, posted %v", f.status, f.posted)
	}
	if !strings.Contains(log.String(), "droplet 7 still running 50ms after the shutdown; cutting the power\n") {
		t.Errorf("log:\n%s", &log)
	}
}

// A shutdown DigitalOcean reports errored is followed by the power_off at
// once, not after the grace.
func TestPowerOffCutsThePowerAfterAnErroredShutdown(t *testing.T) {
	f := newFake(StatusActive, "s-1vcpu-1gb")
	f.errored = "shutdown"
	var log bytes.Buffer
	c := client(f, &log)
	c.Shutdown = time.Hour
	if err := c.PowerOff(context.Background(), 7); err != nil {
		t.Fatal(err)
	}
	if f.status != StatusOff || !cmp.Equal(f.posted, []string{"shutdown", "power_off"}) {
		t.Errorf("status %s, posted %v", f.status, f.posted)
	}
	if !strings.Contains(log.String(), "DigitalOcean reports the shutdown of droplet 7 errored; cutting the power\n") {
		t.Errorf("log:\n%s", &log)
	}
}

// While the shutdown action is in progress the droplet takes no other
// action, the power_off included: the wait goes on past the grace, up to
// the pace's bound, and then says why the power was not cut.
func TestPowerOffWaitsForTheShutdownAction(t *testing.T) {
	f := newFake(StatusActive, "s-1vcpu-1gb")
	f.stuck = "shutdown"
	err := client(f, &bytes.Buffer{}).PowerOff(context.Background(), 7)
	var ae *Error
	if !errors.As(err, &ae) || ae.Type != "shutdown" || ae.Status != godo.ActionInProgress ||
		!strings.Contains(err.Error(), "shutdown of droplet 7: action 1 still in-progress: waited 200ms; the droplet takes no other action until it ends, so the power cannot be cut") {
		t.Errorf("err = %v", err)
	}
	if !cmp.Equal(f.posted, []string{"shutdown"}) {
		t.Errorf("posted %v while the shutdown was in progress", f.posted)
	}

	// The fake refuses that power_off as DigitalOcean does.
	if _, _, err := f.PowerOff(context.Background(), 7); err == nil || !strings.Contains(err.Error(), "pending event") {
		t.Errorf("power_off during the shutdown: %v", err)
	}
}

// A request whose answer is lost is not simply sent again: an action it
// started is waited for, and only one it did not start is sent again.
func TestLostAnswers(t *testing.T) {
	// The power_on started: it is followed, not posted twice.
	f := newFake(StatusOff, "s-1vcpu-1gb")
	f.lose = "power_on"
	var log bytes.Buffer
	if err := client(f, &log).PowerOn(context.Background(), 7); err != nil {
		t.Fatal(err)
	}
	if f.status != StatusActive || !cmp.Equal(f.posted, []string{"power_on"}) {
		t.Errorf("status %s, posted %v", f.status, f.posted)
	}
	if !strings.Contains(log.String(), "power_on of droplet 7: no answer (connection reset by peer); looking whether it started\npower_on of droplet 7 started after all (action 1)\n") {
		t.Errorf("log:\n%s", &log)
	}

	// A 500 before anything started: sent again, once.
	f = newFake(StatusOff, "s-1vcpu-1gb")
	f.fail = "resize"
	if err := client(f, &bytes.Buffer{}).Resize(context.Background(), 7, "s-1vcpu-2gb"); err != nil {
		t.Fatal(err)
	}
	if f.size != "s-1vcpu-2gb" || !cmp.Equal(f.posted, []string{"resize", "resize"}) {
		t.Errorf("size %s, posted %v", f.size, f.posted)
	}

	// A resize that ended before the look: the droplet's size says it ran.
	f = newFake(StatusOff, "s-1vcpu-1gb")
	f.lose, f.reads = "resize", 0
	if err := client(f, &bytes.Buffer{}).Resize(context.Background(), 7, "s-1vcpu-2gb"); err != nil {
		t.Fatal(err)
	}
	if f.size != "s-1vcpu-2gb" || !cmp.Equal(f.posted, []string{"resize"}) {
		t.Errorf("size %s, posted %v", f.size, f.posted)
	}
}

func TestPowerOffRefusedShutdown(t *testing.T) {
	f := newFake(StatusActive, "s-1vcpu-1gb")
	f.refuse = "shutdown"
	if err := client(f, &bytes.Buffer{}).PowerOff(context.Background(), 7); err != nil {
		t.Fatal(err)
	}
	if f.status != StatusOff || !cmp.Equal(f.posted, []string{"shutdown", "power_off"}) {
		t.Errorf("status %s, posted %v", f.status, f.posted)
	}
}

func TestAlreadyThere(t *testing.T) {
	f := newFake(StatusOff, "s-1vcpu-1gb")
	c := client(f, &bytes.Buffer{})
	if err := c.PowerOff(context.Background(), 7); err != nil || len(f.posted) != 0 {
		t.Errorf("power off an off droplet: %v, posted %v", err, f.posted)
	}
	f.status = StatusActive
	if err := c.PowerOn(context.Background(), 7); err != nil || len(f.posted) != 0 {
		t.Errorf("power on an active droplet: %v, posted %v", err, f.posted)
	}
}

func TestResizeAndPowerOn(t *testing.T) {
	f := newFake(StatusOff, "s-1vcpu-1gb")
	c := client(f, &bytes.Buffer{})
	if err := c.Resize(context.Background(), 7, "s-1vcpu-2gb"); err != nil {
		t.Fatal(err)
	}
	if err := c.PowerOn(context.Background(), 7); err != nil {
		t.Fatal(err)
	}
	if f.size != "s-1vcpu-2gb" || f.status != StatusActive || !cmp.Equal(f.posted, []string{"resize", "power_on"}) {
		t.Errorf("size %s, status %s, posted %v", f.size, f.status, f.posted)
	}
}

// The three ways a resize goes wrong each name the action and leave the
// droplet where it was.
func TestResizeFaults(t *testing.T) {
	tests := []struct {
		fault func(f *fake)
		want  string
	}{
		{func(f *fake) { f.refuse = "resize" }, "resize of droplet 7 refused: POST <nil>: 422 droplet is not powered off"},
		{func(f *fake) { f.errored = "resize" }, "resize of droplet 7: DigitalOcean reports action 1 errored"},
		{func(f *fake) { f.stuck = "resize" }, "resize of droplet 7: action 1 still in-progress: waited 200ms"},
	}
	for _, tc := range tests {
		f := newFake(StatusOff, "s-1vcpu-1gb")
		tc.fault(f)
		err := client(f, &bytes.Buffer{}).Resize(context.Background(), 7, "s-1vcpu-2gb")
		var ae *Error
		if !errors.As(err, &ae) || ae.Type != "resize" || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("err = %v, want %q", err, tc.want)
		}
		if f.size != "s-1vcpu-1gb" {
			t.Errorf("size %s after a failed resize", f.size)
		}
	}
}

func TestWaitEndsWithContext(t *testing.T) {
	f := newFake(StatusOff, "s-1vcpu-1gb")
	f.stuck = "power_on"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.onPost = cancel // the context ends while the action is waited for
	err := client(f, &bytes.Buffer{}).PowerOn(ctx, 7)
	var ae *Error
	if !errors.As(err, &ae) || !errors.Is(err, context.Canceled) || ae.ActionID != 1 {
		t.Errorf("err = %v", err)
	}
}

// An action an interrupted run left in progress is waited for before the
// next is posted.
func TestSettleWaitsForActionsInProgress(t *testing.T) {
	f := newFake(StatusActive, "s-1vcpu-1gb")
	if _, _, err := f.PowerOff(context.Background(), 7); err != nil {
		t.Fatal(err)
	}
	c := client(f, &bytes.Buffer{})
	waited, err := c.Settle(context.Background(), 7)
	if err != nil || len(waited) != 1 || waited[0].Type != "power_off" {
		t.Fatalf("waited for %+v, %v", waited, err)
	}
	if f.status != StatusOff {
		t.Errorf("status %s after the power_off completed", f.status)
	}
	if waited, err := c.Settle(context.Background(), 7); err != nil || len(waited) != 0 {
		t.Errorf("nothing in progress, yet waited for %+v, %v", waited, err)
	}
}
