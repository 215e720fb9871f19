package droplets

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
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
)

// ReadyTimeout is how long WaitReady waits unless told otherwise: a healthy
// droplet answers SSH within a minute or two of its create.
const ReadyTimeout = 10 * time.Minute

// WaitOptions bounds and paces WaitReady. The zero value suits real droplets.
type WaitOptions struct {
	poll.Pace               // API polls for an address; defaults 10m, 1s doubling to 5s (doctl polls every 5s from the start)
	SSHPort   int           // 0 = 22
	Watch     time.Duration // status checks while waiting for SSH; 0 = 15s
	SSHProbe  time.Duration // SSH banner probes, which cost no API calls; 0 = 250ms
	ActionID  int           // create action to watch for errors; 0 = none
}

func (o *WaitOptions) defaults() {
	o.Pace = o.Pace.Or(poll.Pace{Timeout: ReadyTimeout, FirstPoll: time.Second, MaxPoll: 5 * time.Second})
	o.Watch = cmp.Or(o.Watch, 15*time.Second)
	o.SSHProbe = cmp.Or(o.SSHProbe, 250*time.Millisecond)
}

// WaitReady waits until droplet id answers SSH, which is what the routes
// need; "active" comes earlier and says nothing about sshd. The API is asked
// only until the droplet has an address and then rarely, to notice a failed
// create; readiness itself is noticed by cheap banner probes.
func WaitReady(ctx context.Context, api API, id int, o WaitOptions) (*godo.Droplet, error) {
	o.defaults()
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()

	d, err := waitForAddress(ctx, api, id, o, start)
	if err != nil {
		return d, err
	}
	ip, _ := d.PublicIPv4()
	addr := remote.Config{Port: o.SSHPort}.Addr(ip)
	fmt.Fprintf(o.Log, "droplet %d has address %s; waiting for SSH on %s\n", id, ip, addr)

	watchErr := make(chan error, 1)
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go func() { watchErr <- watch(watchCtx, api, id, o) }()

	sshCtx, stopSSH := context.WithCancel(ctx)
	defer stopSSH()
	sshDone := make(chan error, 1)
	go func() {
		sshDone <- remote.WaitForSSH(sshCtx, addr, o.SSHProbe, func(elapsed time.Duration) {
			fmt.Fprintf(o.Log, "  still waiting for SSH on %s (%s)\n", addr, cmdline.Format(time.Since(start).Round(time.Second)))
		})
	}()
	select {
	case err = <-sshDone:
	case err = <-watchErr:
		stopSSH()
		<-sshDone
	}
	if err != nil {
		return d, describeWaitErr(ctx, api, id, o, start, err)
	}
	stopWatch()
	// One last read for the final status and the IPv6 address, which may come later than IPv4.
	if fresh, _, err := api.Droplets.Get(ctx, id); err == nil {
		d = fresh
	}
	fmt.Fprintf(o.Log, "droplet %d answers SSH after %s\n", id, cmdline.Format(time.Since(start).Round(time.Second/10)))
	return d, nil
}

func waitForAddress(ctx context.Context, api API, id int, o WaitOptions, start time.Time) (*godo.Droplet, error) {
	var d *godo.Droplet
	err := o.Until(ctx, false, func(ctx context.Context) (bool, error) {
		got, _, err := api.Droplets.Get(ctx, id)
		if err != nil {
			return false, fmt.Errorf("read droplet %d: %w", id, doapi.Explain(err))
		}
		d = got
		if ip, _ := d.PublicIPv4(); ip != "" {
			return true, nil
		}
		fmt.Fprintf(o.Log, "droplet %d is %s, no address yet (%s)\n", id, d.Status, cmdline.Format(time.Since(start).Round(time.Second)))
		return false, nil
	})
	if ctx.Err() != nil {
		return d, describeWaitErr(ctx, api, id, o, start, ctx.Err())
	}
	return d, err
}

// watch ends the wait early when DigitalOcean reports the create failed.
func watch(ctx context.Context, api API, id int, o WaitOptions) error {
	t := time.NewTicker(o.Watch)
	defer t.Stop()
	action := o.ActionID
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		// The create action tells of a failed create first; once it has
		// completed, only the droplet itself can still go away.
		if action != 0 {
			a, _, err := api.Actions.Get(ctx, action)
			if err == nil && a.Status == doapi.ActionErrored {
				return fmt.Errorf("DigitalOcean reports the create action %d of droplet %d errored", action, id)
			}
			if err == nil && a.Status == godo.ActionCompleted {
				action = 0
			}
			continue
		}
		d, _, err := api.Droplets.Get(ctx, id)
		if doapi.IsNotFound(err) {
			return fmt.Errorf("droplet %d was deleted while waiting for it", id)
		}
		if err == nil && (d.Status == "off" || d.Status == "archive") {
			return fmt.Errorf("droplet %d is %s", id, d.Status)
		}
	}
}

// describeWaitErr says why a wait failed; the droplet still exists and
// costs money, which the *StrandedError says.
func describeWaitErr(ctx context.Context, api API, id int, o WaitOptions, start time.Time, err error) error {
	status, name := "unknown", ""
	limit := 10 * time.Second
	if errors.Is(err, context.Canceled) {
		// A Ctrl-C: mage's compiled main exits 5 s after it whatever the
		// target does, and the error must be out before then.
		limit = 2 * time.Second
	}
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), limit)
	defer cancel()
	if d, _, gerr := api.Droplets.Get(bg, id); gerr == nil {
		status, name = d.Status, d.Name
	}
	took := cmdline.Format(time.Since(start).Round(time.Second))
	var why error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		why = fmt.Errorf("no SSH within %s: %w", cmdline.Format(o.Timeout), err)
	case errors.Is(err, context.Canceled):
		why = fmt.Errorf("interrupted after %s: %w", took, err)
	default:
		why = fmt.Errorf("%w after %s", err, took)
	}
	return &StrandedError{Name: name, ID: id, Err: fmt.Errorf("droplet %d (status %s): %w", id, status, why)}
}
