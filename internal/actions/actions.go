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

// Error is an action DigitalOcean refused, that errored, or that did not
// finish in time. The droplet is wherever the action left it: read it.
type Error struct {
	Type      string // "resize", "power_off" …
	DropletID int
	ActionID  int    // 0 when the request was refused
	Status    string // the action's last status; "" when refused
	Err       error  // the API error, or why waiting ended
}

func (e *Error) Error() string {
	switch {
	case e.ActionID == 0:
		return fmt.Sprintf("%s of droplet %d refused: %v", e.Type, e.DropletID, e.Err)
	case e.Status == doapi.ActionErrored:
		return fmt.Sprintf("%s of droplet %d: DigitalOcean reports action %d errored", e.Type, e.DropletID, e.ActionID)
	}
	return fmt.Sprintf("%s of droplet %d: action %d still %s: %v", e.Type, e.DropletID, e.ActionID, cmp.Or(e.Status, "unread"), e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// PowerOff turns droplet id off: a graceful shutdown first, as DigitalOcean
// recommends, and after c.Shutdown the power_off action. A droplet that is
// off already is left alone.
func (c Client) PowerOff(ctx context.Context, id int) error {
	d, err := c.get(ctx, id)
	if err != nil || d.Status == StatusOff {
		return err
	}
	grace := c.Grace()
	fmt.Fprintf(c.pace().Log, "shutting droplet %d down (power cut after %s)\n", id, cmdline.Format(grace))
	if _, _, err := c.Actions.Shutdown(ctx, id); err != nil {
		if ctx.Err() != nil {
			return &Error{Type: "shutdown", DropletID: id, Err: ctx.Err()}
		}
		// A droplet that cannot take a shutdown (no ACPI in a kexec'd
		// installer, say) is still powered off below.
		fmt.Fprintf(c.pace().Log, "shutdown of droplet %d refused (%v); cutting the power\n", id, doapi.Explain(err))
	} else {
		sctx, cancel := context.WithTimeout(ctx, grace)
		err := c.pace().Until(sctx, true, func(ctx context.Context) (bool, error) {
			d, err := c.get(ctx, id)
			return err == nil && d.Status == StatusOff, err
		})
		cancel()
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return &Error{Type: "shutdown", DropletID: id, Err: ctx.Err()}
		case !errors.Is(err, context.DeadlineExceeded):
			return err
		}
		fmt.Fprintf(c.pace().Log, "droplet %d still running %s after the shutdown; cutting the power\n", id, cmdline.Format(grace))
	}
	if err := c.run(ctx, id, "power_off", c.Actions.PowerOff); err != nil {
		return err
	}
	return c.waitStatus(ctx, id, StatusOff)
}

// PowerOn turns droplet id on and waits until it is active; it does not
// wait for its SSH.
func (c Client) PowerOn(ctx context.Context, id int) error {
	d, err := c.get(ctx, id)
	if err != nil || d.Status == StatusActive {
		return err
	}
	fmt.Fprintf(c.pace().Log, "powering droplet %d on\n", id)
	if err := c.run(ctx, id, "power_on", c.Actions.PowerOn); err != nil {
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
	})
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
	all, err := doapi.ListAll(ctx, func(ctx context.Context, opt *godo.ListOptions) ([]godo.Action, *godo.Response, error) {
		return c.Droplets.Actions(ctx, id, opt)
	})
	if err != nil {
		return nil, fmt.Errorf("list the actions of droplet %d: %w", id, doapi.Explain(err))
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
func (c Client) run(ctx context.Context, id int, typ string, post func(context.Context, int) (*godo.Action, *godo.Response, error)) error {
	a, _, err := post(ctx, id)
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return &Error{Type: typ, DropletID: id, Err: doapi.Explain(err)}
	}
	a.Type = typ
	return c.wait(ctx, id, *a)
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
	ended := func() bool { return status == godo.ActionCompleted || status == doapi.ActionErrored }
	err := c.pace().Until(actx, !ended(), func(ctx context.Context) (bool, error) {
		if ended() {
			return true, nil
		}
		got, _, err := c.Actions.Get(ctx, id, a.ID)
		if err != nil {
			return false, fmt.Errorf("read action %d: %w", a.ID, doapi.Explain(err))
		}
		status = got.Status
		return ended(), nil
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
