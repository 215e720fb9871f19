// Package actions powers droplets off and on and resizes them through
// DigitalOcean's droplet actions (POST /v2/droplets/{id}/actions), waiting
// for each action to finish. A resize needs the droplet off; with disk
// false only CPU and RAM change, so the droplet can later go back to a size
// with its old disk.
package actions

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/cmdline"
	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/poll"
)

// Droplets is the part of godo's DropletsService the actions read.
type Droplets interface {
	Get(ctx context.Context, id int) (*godo.Droplet, *godo.Response, error)
	Actions(ctx context.Context, id int, opt *godo.ListOptions) ([]godo.Action, *godo.Response, error)
}

// DropletActions is the part of godo's DropletActionsService used here.
type DropletActions interface {
	Shutdown(ctx context.Context, id int) (*godo.Action, *godo.Response, error)
	PowerOff(ctx context.Context, id int) (*godo.Action, *godo.Response, error)
	PowerOn(ctx context.Context, id int) (*godo.Action, *godo.Response, error)
	Resize(ctx context.Context, id int, size string, disk bool) (*godo.Action, *godo.Response, error)
	Get(ctx context.Context, dropletID, actionID int) (*godo.Action, *godo.Response, error)
}

// Status values of droplets that godo has no constants for.
const (
	StatusOff    = "off"
	StatusActive = "active"
)

// Client runs droplet actions and waits for them. The zero durations suit
// real droplets.
type Client struct {
	Droplets Droplets
	Actions  DropletActions
	// Pace bounds each action (Timeout, default 10m) and paces the reads
	// while waiting (default 1s doubling to 5s); Log takes progress.
	poll.Pace
	// Shutdown is how long a graceful shutdown may take before the power
	// is cut; 0 = 1m. DigitalOcean's shutdown action only issues the
	// command, so success is the droplet reaching "off".
	Shutdown time.Duration
}

// pace is c.Pace with its defaults.
func (c Client) pace() poll.Pace {
	return c.Pace.Or(poll.Pace{Timeout: 10 * time.Minute, FirstPoll: time.Second, MaxPoll: 5 * time.Second})
}

// Grace is how long PowerOff waits for a graceful shutdown.
func (c Client) Grace() time.Duration { return cmp.Or(c.Shutdown, time.Minute) }

// Error is an action DigitalOcean refused, that errored, that did not
// finish in time, or whose request got no answer. The droplet is wherever
// the action left it: read it.
type Error struct {
	Type      string // "resize", "power_off" …
	DropletID int
	ActionID  int    // 0 when the request was refused or its answer lost
	Status    string // the action's last status; "" when refused or lost
	Lost      bool   // the request got no answer, and whether the action started is not known
	Err       error  // the API error, or why waiting ended
}

func (e *Error) Error() string {
	switch {
	case e.Lost:
		return fmt.Sprintf("%s of droplet %d: no answer (%v), so whether DigitalOcean started it is not known (its actions show it: `doctl compute droplet-action list %d`)", e.Type, e.DropletID, e.Err, e.DropletID)
	case e.ActionID == 0:
		return fmt.Sprintf("%s of droplet %d refused: %v", e.Type, e.DropletID, e.Err)
	case e.Status == doapi.ActionErrored:
		return fmt.Sprintf("%s of droplet %d: DigitalOcean reports action %d errored", e.Type, e.DropletID, e.ActionID)
	}
	return fmt.Sprintf("%s of droplet %d: action %d still %s: %v", e.Type, e.DropletID, e.ActionID, cmp.Or(e.Status, "unread"), e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// actionEnded reports whether an action of status will change no more.
func actionEnded(status string) bool {
	return status == godo.ActionCompleted || status == doapi.ActionErrored
}

// isOff and isActive are what power_off and shutdown, and power_on, leave.
func isOff(d *godo.Droplet) bool    { return d.Status == StatusOff }
func isActive(d *godo.Droplet) bool { return d.Status == StatusActive }

// PowerOff turns droplet id off: a graceful shutdown first, as DigitalOcean
// recommends, and the power_off action if the droplet still runs after
// c.Grace(). A droplet that is off already is left alone.
//
// DigitalOcean's shutdown action only issues the command ("guarantees that
// the command is issued, not that it succeeds": it may complete while the
// droplet runs on, or end errored), and while it is in progress the droplet
// refuses every other action, power_off included ("Droplet already has a
// pending event."). So the power is cut once the shutdown action has ended:
// at once when it errored, after the grace when it completed and the
// droplet still runs. A shutdown action still in progress is waited for up
// to the pace's Timeout, and then reported as such.
func (c Client) PowerOff(ctx context.Context, id int) error {
	d, err := c.get(ctx, id)
	if err != nil || isOff(d) {
		return err
	}
	grace := c.Grace()
	log := c.pace().Log
	fmt.Fprintf(log, "shutting droplet %d down (power cut after %s)\n", id, cmdline.Format(grace))
	a, err := c.post(ctx, id, "shutdown", c.Actions.Shutdown, isOff)
	var refused *Error
	switch {
	case errors.As(err, &refused) && refused.ActionID == 0 && !refused.Lost && ctx.Err() == nil:
		// A droplet that cannot take a shutdown is still powered off.
		fmt.Fprintf(log, "%v; cutting the power\n", err)
	case err != nil:
		return err
	case a == nil:
		return nil // the droplet is off
	default:
		off, ended, err := c.shutdown(ctx, id, *a, grace)
		switch {
		case err != nil:
			return err
		case off:
			return nil
		case ended == doapi.ActionErrored:
			fmt.Fprintf(log, "DigitalOcean reports the shutdown of droplet %d errored; cutting the power\n", id)
		default:
			fmt.Fprintf(log, "droplet %d still running %s after the shutdown; cutting the power\n", id, cmdline.Format(grace))
		}
	}
	if err := c.run(ctx, id, "power_off", c.Actions.PowerOff, isOff); err != nil {
		return err
	}
	return c.waitStatus(ctx, id, StatusOff)
}

// shutdown follows shutdown action a of droplet id until the droplet is
// off with the action ended, the action errored, or the action completed
// and grace has passed since it was posted. It reports whether the droplet
// is off and the action's last status; an action still in progress after
// the pace's Timeout is an *Error.
func (c Client) shutdown(ctx context.Context, id int, a godo.Action, grace time.Duration) (off bool, status string, err error) {
	start := time.Now()
	limit := c.pace().Timeout
	wctx, cancel := context.WithTimeout(ctx, max(limit, grace))
	defer cancel()
	status = a.Status
	err = c.pace().Until(wctx, true, func(ctx context.Context) (bool, error) {
		if !actionEnded(status) {
			got, _, err := c.Actions.Get(ctx, id, a.ID)
			if err != nil {
				return false, fmt.Errorf("read action %d: %w", a.ID, doapi.Explain(err))
			}
			status = got.Status
		}
		d, err := c.get(ctx, id)
		if err != nil {
			return false, err
		}
		off = isOff(d)
		return actionEnded(status) && (off || status == doapi.ActionErrored || time.Since(start) >= grace), nil
	})
	switch {
	case err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded):
		return off, status, &Error{Type: "shutdown", DropletID: id, ActionID: a.ID, Status: status, Err: fmt.Errorf(
			"waited %s; the droplet takes no other action until it ends, so the power cannot be cut", cmdline.Format(max(limit, grace)))}
	case err != nil:
		return off, status, &Error{Type: "shutdown", DropletID: id, ActionID: a.ID, Status: status, Err: err}
	}
	return off, status, nil
}

// PowerOn turns droplet id on and waits until it is active; it does not
// wait for its SSH.
func (c Client) PowerOn(ctx context.Context, id int) error {
	d, err := c.get(ctx, id)
	if err != nil || isActive(d) {
		return err
	}
	fmt.Fprintf(c.pace().Log, "powering droplet %d on\n", id)
	if err := c.run(ctx, id, "power_on", c.Actions.PowerOn, isActive); err != nil {
		return err
	}
	return c.waitStatus(ctx, id, StatusActive)
}

// Resize moves droplet id, which must be off, to size with its disk as it
// is (CPU and RAM only), and checks that the droplet reports the new size.
func (c Client) Resize(ctx context.Context, id int, size string) error {
	fmt.Fprintf(c.pace().Log, "resizing droplet %d to %s (CPU and RAM only; the disk stays as it is)\n", id, size)
	err := c.run(ctx, id, "resize", func(ctx context.Context, id int) (*godo.Action, *godo.Response, error) {
		return c.Actions.Resize(ctx, id, size, false)
	}, func(d *godo.Droplet) bool { return d.SizeSlug == size })
	if err != nil {
		return err
	}
	d, err := c.get(ctx, id)
	if err != nil {
		return err
	}
	if d.SizeSlug != size {
		return fmt.Errorf("resize of droplet %d completed, but it reports size %s, not %s", id, d.SizeSlug, size)
	}
	return nil
}

// Settle waits until no action of droplet id is in progress, such as one
// an interrupted run started, so that the next one is not refused. It
// reports the actions it waited for.
func (c Client) Settle(ctx context.Context, id int) ([]godo.Action, error) {
	all, err := c.actions(ctx, id)
	if err != nil {
		return nil, err
	}
	var waited []godo.Action
	for _, a := range all {
		if a.Status != godo.ActionInProgress {
			continue
		}
		fmt.Fprintf(c.pace().Log, "droplet %d: waiting for its %s action %d, still in progress\n", id, a.Type, a.ID)
		if err := c.wait(ctx, id, a); err != nil {
			return waited, err
		}
		waited = append(waited, a)
	}
	return waited, nil
}

// run posts one action and waits until it completes.
func (c Client) run(ctx context.Context, id int, typ string, send poster, reached func(*godo.Droplet) bool) error {
	a, err := c.post(ctx, id, typ, send, reached)
	if err != nil || a == nil {
		return err
	}
	return c.wait(ctx, id, *a)
}

// poster sends one droplet action request.
type poster func(context.Context, int) (*godo.Action, *godo.Response, error)

// post sends the request for an action of typ and returns the action it
// started; nil when the droplet turned out to be as reached wants already.
//
// A request whose answer is lost (no answer in time, a dropped connection,
// a 5xx) may or may not have started the action, and sending it again
// blindly would meet "Droplet already has a pending event." So post looks:
// an action of typ in progress is the one it sent (the droplet takes one
// action at a time, and Settle waited for older ones); a droplet already
// as reached wants needs nothing more; otherwise the request is sent once
// more, which is safe: each of these actions sets a state, and DigitalOcean
// refuses one whose state is there already.
func (c Client) post(ctx context.Context, id int, typ string, send poster, reached func(*godo.Droplet) bool) (*godo.Action, error) {
	var lost error
	for try := 0; try < 2; try++ {
		a, _, err := send(ctx, id)
		switch {
		case err == nil:
			a.Type = typ
			return a, nil
		case ctx.Err() != nil:
			return nil, &Error{Type: typ, DropletID: id, Err: ctx.Err()}
		case doapi.StatusOf(err) != 0 && doapi.StatusOf(err) < 500:
			return nil, &Error{Type: typ, DropletID: id, Err: doapi.Explain(err)}
		}
		lost = doapi.Explain(err)
		fmt.Fprintf(c.pace().Log, "%s of droplet %d: no answer (%v); looking whether it started\n", typ, id, lost)
		a, done, err := c.started(ctx, id, typ, reached)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, &Error{Type: typ, DropletID: id, Err: ctx.Err()}
			}
			return nil, &Error{Type: typ, DropletID: id, Lost: true, Err: fmt.Errorf("%w; and looking failed: %w", lost, err)}
		case a != nil:
			fmt.Fprintf(c.pace().Log, "%s of droplet %d started after all (action %d)\n", typ, id, a.ID)
			return a, nil
		case done:
			fmt.Fprintf(c.pace().Log, "%s of droplet %d: done after all\n", typ, id)
			return nil, nil
		}
	}
	return nil, &Error{Type: typ, DropletID: id, Lost: true, Err: lost}
}

// started looks for the action of typ that a request whose answer was lost
// may have started: the droplet's action of typ in progress, or the droplet
// already as reached wants.
func (c Client) started(ctx context.Context, id int, typ string, reached func(*godo.Droplet) bool) (*godo.Action, bool, error) {
	all, err := c.actions(ctx, id)
	if err != nil {
		return nil, false, err
	}
	for _, a := range all {
		if a.Type == typ && a.Status == godo.ActionInProgress {
			return &a, false, nil
		}
	}
	d, err := c.get(ctx, id)
	if err != nil {
		return nil, false, err
	}
	return nil, reached(d), nil
}

// actions lists the actions of droplet id.
func (c Client) actions(ctx context.Context, id int) ([]godo.Action, error) {
	all, err := doapi.ListAll(ctx, func(ctx context.Context, opt *godo.ListOptions) ([]godo.Action, *godo.Response, error) {
		return c.Droplets.Actions(ctx, id, opt)
	})
	if err != nil {
		return nil, fmt.Errorf("list the actions of droplet %d: %w", id, doapi.Explain(err))
	}
	return all, nil
}

// wait waits, at most the pace's Timeout, until action a of droplet id
// has completed.
func (c Client) wait(ctx context.Context, id int, a godo.Action) error {
	typ := a.Type
	start := time.Now()
	limit := c.pace().Timeout
	actx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	status := a.Status
	err := c.pace().Until(actx, !actionEnded(status), func(ctx context.Context) (bool, error) {
		if actionEnded(status) {
			return true, nil
		}
		got, _, err := c.Actions.Get(ctx, id, a.ID)
		if err != nil {
			return false, fmt.Errorf("read action %d: %w", a.ID, doapi.Explain(err))
		}
		status = got.Status
		return actionEnded(status), nil
	})
	switch {
	case err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded):
		return &Error{Type: typ, DropletID: id, ActionID: a.ID, Status: status, Err: fmt.Errorf("waited %s", cmdline.Format(limit))}
	case err != nil:
		return &Error{Type: typ, DropletID: id, ActionID: a.ID, Status: status, Err: err}
	case status == doapi.ActionErrored:
		return &Error{Type: typ, DropletID: id, ActionID: a.ID, Status: status}
	}
	fmt.Fprintf(c.pace().Log, "%s of droplet %d done after %s\n", typ, id, cmdline.Format(time.Since(start).Round(time.Second/10)))
	return nil
}

// waitStatus waits, at most the pace's Timeout, until the droplet reports status.
func (c Client) waitStatus(ctx context.Context, id int, status string) error {
	limit := c.pace().Timeout
	wctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var last string
	err := c.pace().Until(wctx, false, func(ctx context.Context) (bool, error) {
		d, err := c.get(ctx, id)
		if err == nil {
			last = d.Status
		}
		return err == nil && d.Status == status, err
	})
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("droplet %d is still %s %s after its action completed, not %s", id, last, cmdline.Format(limit), status)
	}
	return err
}

func (c Client) get(ctx context.Context, id int) (*godo.Droplet, error) {
	d, _, err := c.Droplets.Get(ctx, id)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("read droplet %d: %w", id, doapi.Explain(err))
	}
	return d, nil
}
