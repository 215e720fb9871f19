package infect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/cmdline"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
)

// Follower follows an install on a droplet over SSH: it streams the log,
// watches the state, and waits through the reboot into NixOS.
type Follower struct {
	Host   string        // the droplet's address, without port
	SSH    remote.Config // how to log in, before and after the reboot
	Paths  Paths
	Log    io.Writer // progress, and the droplet's log lines after Prefix
	Prefix string

	Poll          time.Duration // state checks and SSH probes; 0 = 5s
	RebootTimeout time.Duration // how long the droplet may stay unreachable, or finished but not rebooted; 0 = 10m
}

// NotRebootedError is an install that finished but whose droplet did not
// reboot into NixOS in time.
type NotRebootedError struct {
	Host  string        // the droplet's address
	Login string        // user@host that logs in to it over SSH, as ssh(1) takes it
	For   time.Duration // since nixos-infect said it was done
}

func (e *NotRebootedError) Error() string {
	return fmt.Sprintf("nixos-infect finished %s ago but %s has not rebooted", cmdline.Format(e.For.Round(time.Second)), e.Host)
}

// errLost marks a connection that went away: a reboot, or a network fault.
var errLost = errors.New("connection lost")

// Follow returns a client logged in to the droplet once it runs NixOS, or
// an error when the install failed (*FailedError), the droplet did not come
// back, or ctx ended. Follow first connects without waiting: the droplet is
// expected to answer SSH already.
func (f Follower) Follow(ctx context.Context) (*remote.Client, error) {
	if f.Poll == 0 {
		f.Poll = 5 * time.Second
	}
	if f.RebootTimeout == 0 {
		f.RebootTimeout = 10 * time.Minute
	}
	r := &run{Follower: f, log: &syncWriter{w: f.Log}}
	r.lines = &lineWriter{w: r.log, prefix: f.Prefix}
	c, err := remote.Dial(ctx, f.Host, f.SSH)
	for {
		if err != nil {
			return nil, err
		}
		var st State
		if st, err = r.probe(ctx, c); err == nil {
			if st.NixOS() {
				r.rest(ctx, c)
				return c, nil
			}
			if why := st.failure(); why != "" {
				c.Close()
				return nil, &FailedError{Reason: why, State: st}
			}
			err = r.watch(ctx, c)
		}
		if errors.Is(err, errSwitched) {
			err = nil
			continue
		}
		c.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("follow the install on %s: %w", f.Host, context.Cause(ctx))
		}
		if !errors.Is(err, errLost) {
			return nil, err
		}
		if r.doneAt.IsZero() {
			fmt.Fprintf(r.log, "%s: %v while nixos-infect was not done; waiting up to %s for SSH\n", f.Host, err, cmdline.Format(f.RebootTimeout))
		} else {
			fmt.Fprintf(r.log, "%s: connection closed: the droplet is rebooting into NixOS; waiting up to %s for SSH\n", f.Host, cmdline.Format(f.RebootTimeout))
		}
		c, err = r.reconnect(ctx)
	}
}

// run is the state of one Follow.
type run struct {
	Follower
	log    io.Writer
	lines  *lineWriter
	last   State
	doneAt time.Time // when the droplet first said nixos-infect was done
}

// errSwitched says the droplet runs NixOS: look again with the same client.
var errSwitched = errors.New("droplet runs NixOS")

func (r *run) probe(ctx context.Context, c *remote.Client) (State, error) {
	st, err := ReadState(ctx, c, r.Paths)
	var exit *remote.ExitError
	switch {
	case errors.As(err, &exit):
		return st, fmt.Errorf("read the install state on %s: %w", r.Host, err)
	case err != nil:
		return st, fmt.Errorf("%w: %v", errLost, err)
	}
	if st != r.last {
		fmt.Fprintf(r.log, "%s: %s\n", r.Host, st)
		r.last = st
	}
	if st.done() && r.doneAt.IsZero() {
		r.doneAt = time.Now()
	}
	return st, nil
}

// watch streams the log and checks the state until the connection goes,
// the install fails, or the droplet turns out to run NixOS.
func (r *run) watch(ctx context.Context, c *remote.Client) error {
	tailCtx, stopTail := context.WithCancel(ctx)
	tailDone := make(chan error, 1)
	r.lines.drop()
	from := r.lines.n + 1
	go func() {
		// -F follows the file by name: it may not exist yet, and tail
		// says so on stderr, which is noise here.
		tailDone <- c.Stream(tailCtx, fmt.Sprintf("tail -n +%d -F %s 2>/dev/null", from, remote.ShellQuote(r.Paths.Log)), r.lines, nil)
	}()
	tailing := true
	defer func() {
		stopTail()
		if tailing {
			<-tailDone // no line may be written after watch returns
		}
	}()

	tick := time.NewTicker(r.Poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err() // Follow says what ended
		case err := <-tailDone:
			tailing = false
			// tail -F runs until killed, so its end means the connection or
			// the system is going away; an ordinary exit status is tail's
			// own failure.
			var exit *remote.ExitError
			if errors.As(err, &exit) && exit.Status < 128 {
				return fmt.Errorf("follow %s on %s: %w", r.Paths.Log, r.Host, err)
			}
			return fmt.Errorf("%w: %v", errLost, err)
		case <-tick.C:
		}
		st, err := r.probe(ctx, c)
		if err != nil {
			return err
		}
		if st.NixOS() {
			return errSwitched
		}
		if why := st.failure(); why != "" {
			return &FailedError{Reason: why, State: st}
		}
		if since := time.Since(r.doneAt); st.done() && since > r.RebootTimeout {
			return &NotRebootedError{Host: r.Host, Login: r.SSH.Login(r.Host), For: since}
		}
	}
}

// reconnect waits, within RebootTimeout, until the droplet answers SSH again
// and logs in.
func (r *run) reconnect(ctx context.Context) (*remote.Client, error) {
	start := time.Now()
	waitCtx, cancel := context.WithTimeout(ctx, r.RebootTimeout)
	defer cancel()
	addr := r.SSH.Addr(r.Host)
	for {
		err := remote.WaitForSSH(waitCtx, addr, r.Poll, func(time.Duration) {
			fmt.Fprintf(r.log, "  still waiting for SSH on %s (%s)\n", addr, cmdline.Format(time.Since(start).Round(time.Second)))
		})
		if err == nil {
			var c *remote.Client
			c, err = remote.Dial(waitCtx, r.Host, r.SSH)
			if err == nil {
				fmt.Fprintf(r.log, "%s: answers SSH again after %s\n", r.Host, cmdline.Format(time.Since(start).Round(time.Second/10)))
				return c, nil
			}
			var changed *remote.HostKeyChangedError
			var auth *remote.AuthError
			if errors.As(err, &changed) || errors.As(err, &auth) {
				return nil, fmt.Errorf("log in to %s after the reboot: %w", r.Host, err)
			}
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("wait for %s to come back: %w", r.Host, context.Cause(ctx))
		}
		if waitCtx.Err() != nil {
			return nil, fmt.Errorf("%s did not come back within %s (%v): DigitalOcean's recovery console (droplet → Access) shows its screen, where the install log was written too",
				r.Host, cmdline.Format(r.RebootTimeout), err)
		}
		fmt.Fprintf(r.log, "  %v; retrying\n", err)
		select {
		case <-waitCtx.Done():
		case <-time.After(r.Poll):
		}
	}
}

// rest shows the lines of the log not yet shown: the last ones before the
// reboot, or all of them when Follow starts on a droplet already switched.
func (r *run) rest(ctx context.Context, c *remote.Client) {
	r.lines.drop()
	cmd := fmt.Sprintf("tail -n +%d %s", r.lines.n+1, remote.ShellQuote(r.Paths.Log))
	if err := c.Stream(ctx, cmd, r.lines, nil); err != nil {
		fmt.Fprintf(r.log, "%s: no install log to show (%v)\n", r.Host, err)
	}
}
