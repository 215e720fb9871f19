package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/actions"
	"github.com/Gleipnir-Technology/nixos-systems/internal/anywhere"
	"github.com/Gleipnir-Technology/nixos-systems/internal/cmdline"
	"github.com/Gleipnir-Technology/nixos-systems/internal/display"
	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hints"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/infect"
	"github.com/Gleipnir-Technology/nixos-systems/internal/plan"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
	"github.com/Gleipnir-Technology/nixos-systems/internal/steps"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

// routeRun is what the steps of the routes to NixOS share, in `up` and in
// the anywhere and infect targets: the droplet as last read, how to reach
// it, and what was seen on it. Every decision a step makes comes from here,
// and all of it is read from the droplet.
type routeRun struct {
	e   *Env
	ssh remote.Config
	act actions.Client

	name    string
	d       *godo.Droplet    // nil until found or made; nil for an address the API does not know
	addr    string           // the address to use when there is no droplet
	created bool             // made by this run: nothing of the operator's is on its disk
	sys     verify.OSRelease // what SSH showed; zero until looked at

	reports io.Writer // where preflight and verification reports go as they are made

	// Route anywhere.
	files   anywhere.Files
	yes     bool // the operator agreed in advance to wiping the disk
	agreed  bool // the operator agreed to wiping the disk in this run (stepCheckAnywhere)
	force   bool // go on despite a failed check that allows it
	dryRun  bool // print the command after the preflight, install nothing
	fitting func(context.Context) ([]string, error)
	runner  runner.Runner // nixos-anywhere; nil = the real one
	limit   time.Duration // how long nixos-anywhere may run

	// Route infect: where the install leaves its traces, and its pacing.
	infect InfectOptions

	host HostFiles // where the host entry's files come from

	verified verify.Report
}

// ip is the address the steps log in to: the droplet's public IPv4, or the
// address given.
func (r *routeRun) ip() string {
	if r.d == nil {
		return r.addr
	}
	ip, _ := r.d.PublicIPv4()
	return cmp.Or(ip, r.addr)
}

// refresh reads the droplet again.
func (r *routeRun) refresh(ctx context.Context) error {
	d, _, err := r.e.Client.Droplets.Get(ctx, r.d.ID)
	if err != nil {
		return fmt.Errorf("read droplet %s (id %d): %w", r.name, r.d.ID, doapi.Explain(err))
	}
	r.d = d
	return nil
}

// installed reports whether SSH showed an installed NixOS (not the
// installer nixos-anywhere boots into from RAM).
func (r *routeRun) installed() bool { return r.sys.IsNixOS() && !r.sys.IsInstaller() }

// dial waits, within the settings' bound, until the droplet answers SSH and
// logs in.
func (r *routeRun) dial(ctx context.Context) (*remote.Client, error) {
	addr := r.ssh.Addr(r.ip())
	limit := cmp.Or(r.e.Wait.Timeout, 10*time.Minute)
	wctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	err := remote.WaitForSSH(wctx, addr, r.e.Wait.SSHProbe, func(elapsed time.Duration) {
		fmt.Fprintf(r.e.Err, "  still waiting for SSH on %s (%s)\n", addr, cmdline.Format(elapsed.Round(time.Second)))
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("droplet %s does not answer SSH within %s: %w", r.name, cmdline.Format(limit), err)
	}
	return remote.Dial(ctx, r.ip(), r.ssh)
}

// runSteps runs the steps of a target that prints its own results; a stop
// returns the step's own error, as the target did before it was a list.
func runSteps[S any](ctx context.Context, e *Env, list []steps.Step[S], s S) error {
	_, err := steps.Run(ctx, list, s, e.Err)
	var stop *steps.StopError
	if errors.As(err, &stop) && stop.Left == "" {
		return stop.Err
	}
	return err
}

// stepCreate makes the droplet of plan and waits until it answers SSH; it
// is done when the droplet exists.
func stepCreate(plan droplets.Plan, timeout *time.Duration) steps.Step[*routeRun] {
	return steps.Step[*routeRun]{
		Name: fmt.Sprintf("create droplet %s: %s in %s from %s, and wait for SSH", plan.Name, plan.Size.Slug, plan.Region, plan.Spec.Image),
		Done: func(_ context.Context, r *routeRun) (bool, error) { return r.d != nil, nil },
		Do: func(ctx context.Context, r *routeRun) error {
			d, err := provisionChecked(ctx, r.e, plan, timeout)
			if d != nil {
				r.d, r.created = d, true
			}
			return err
		},
	}
}

// stepConverge brings an existing droplet's tags and project to what spec
// asks, as create does for a droplet it finds (and says what it repaired);
// it is done when the droplet has them. spec's size and region are the
// droplet's own, so that only what can change in place is compared.
func stepConverge(spec droplets.Spec, login droplets.Login) steps.Step[*routeRun] {
	return steps.Step[*routeRun]{
		Name: "give the droplet the tags and project of the settings",
		Done: func(ctx context.Context, r *routeRun) (bool, error) {
			return droplets.Converged(ctx, r.e.dropletAPI(), spec, r.d)
		},
		Do: func(ctx context.Context, r *routeRun) error {
			checked, err := droplets.Check(ctx, r.e.dropletAPI(), spec)
			if err != nil {
				return err
			}
			checked.Login = login // should the droplet be gone, Create would make it
			if _, err := droplets.Create(ctx, r.e.dropletAPI(), checked, r.e.Err); err != nil {
				return err
			}
			return r.refresh(ctx)
		},
	}
}

// stepSettle waits for the actions an interrupted run left in progress
// (a resize goes on at DigitalOcean after its run stopped), as the droplet
// takes no other until they end.
func stepSettle() steps.Step[*routeRun] {
	return steps.Step[*routeRun]{
		Name:     "wait for actions still in progress",
		ReadOnly: true,
		Do: func(ctx context.Context, r *routeRun) error {
			_, err := r.act.Settle(ctx, r.d.ID)
			return err
		},
	}
}

// stepPowerOn turns the droplet on when it is off (an interrupted detour
// leaves it so) and waits until it answers SSH.
func stepPowerOn(why string) steps.Step[*routeRun] {
	return steps.Step[*routeRun]{
		Name: "power on" + why + ", and wait for SSH",
		Done: afresh(func(r *routeRun) bool { return r.d.Status != actions.StatusOff }),
		Do: func(ctx context.Context, r *routeRun) error {
			if err := r.act.PowerOn(ctx, r.d.ID); err != nil {
				return err
			}
			if err := r.refresh(ctx); err != nil {
				return err
			}
			c, err := r.dial(ctx)
			if err != nil {
				return err
			}
			return c.Close()
		},
	}
}

// stepLook reads over SSH which system the droplet runs, which is how the
// later steps know whether the install happened, and whether nixos-infect
// ran on it, which only the route infect may go on with.
func stepLook(route plan.Route) steps.Step[*routeRun] {
	return steps.Step[*routeRun]{
		Name:     "look at the system over SSH",
		ReadOnly: true,
		Do: func(ctx context.Context, r *routeRun) error {
			c, err := r.dial(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			if r.sys, err = verify.ReadOSRelease(ctx, c, r.files.OSRelease); err != nil {
				return err
			}
			fmt.Fprintf(r.e.Err, "droplet %s runs %s\n", r.name, r.sys)
			st, err := infect.ReadState(ctx, c, r.infect.Paths)
			if err != nil {
				return fmt.Errorf("look for nixos-infect on droplet %s: %w", r.name, err)
			}
			return r.checkRoute(route, st)
		},
	}
}

// checkRoute refuses to take the droplet by route when it shows it is on
// the other one. nixos-infect runs only from the user data a droplet is
// created with, so route infect goes on with a droplet this run made, one
// made for it (infect.Tag), or one where it started (its status file);
// route anywhere does not wipe a droplet where nixos-infect is running or
// has installed NixOS.
func (r *routeRun) checkRoute(route plan.Route, st infect.State) error {
	word, _, _ := strings.Cut(st.Infect, " ")
	switch {
	case route == plan.Anywhere && (word == "running" || word == "done"):
		return hints.UpOtherRoute(r.name, string(plan.Infect), string(route), fmt.Sprintf("its %s says nixos-infect is %s", r.infect.Paths.Status, st.Infect))
	case route == plan.Infect && !r.created && st.Infect == "" && !r.tagged(infect.Tag):
		return hints.NotMadeForInfect(r.name, infect.Tag, r.infect.Paths.Status)
	}
	return nil
}

// stepCheckAnywhere checks, before anything changes for the install, what
// the install step checks again just before it wipes: this machine's Nix,
// the droplet's architecture, disk and system, and the keys NixOS gets
// (not the memory, which a detour is yet to bring); then it asks before
// wiping a droplet this run did not make. It is done when SSH showed an
// installed NixOS.
func stepCheckAnywhere() steps.Step[*routeRun] {
	return steps.Step[*routeRun]{
		Name:     "check the droplet and this machine for nixos-anywhere, and ask before wiping the disk",
		ReadOnly: true,
		Done:     func(_ context.Context, r *routeRun) (bool, error) { return r.installed(), nil },
		Do: func(ctx context.Context, r *routeRun) error {
			if err := r.preflight(ctx, anywhere.Checks{NoMemory: true}); err != nil {
				return err
			}
			if !r.created {
				if err := r.confirmWipe(); err != nil {
					return err
				}
			}
			r.agreed = true
			return nil
		},
	}
}

// preflight runs nixos-anywhere's preflight on the droplet with c, to
// which it adds the run's files, -force, runner and advice, and prints the
// report; the error is the report's.
func (r *routeRun) preflight(ctx context.Context, c anywhere.Checks) error {
	c.Files, c.Force, c.Runner, c.Explain = r.files, r.force, r.runner, hints.Explain
	rep, err := anywhere.Preflight(ctx, r.ip(), r.ssh, c)
	if werr := display.Print(r.reports, false, display.Report(rep)); werr != nil {
		return werr
	}
	return err
}

// stepInstallAnywhere checks the droplet and installs NixOS on it with
// nixos-anywhere, asking first unless this run made the droplet; it is
// done when SSH showed an installed NixOS. It ends when the installed
// system answers SSH, or after the preflight on a dry run.
func stepInstallAnywhere() steps.Step[*routeRun] {
	return steps.Step[*routeRun]{
		Name: "install NixOS with nixos-anywhere, wiping the disk",
		Done: func(_ context.Context, r *routeRun) (bool, error) { return r.installed(), nil },
		Do: func(ctx context.Context, r *routeRun) error {
			ip := r.ip()
			err := r.preflight(ctx, anywhere.Checks{FittingSizes: r.fitting})
			argv := anywhere.Command(ip, r.ssh)
			if r.dryRun {
				if werr := display.Print(r.reports, false, display.Commands(hints.DryRun, [][]string{argv}, runner.CommandLine)); werr != nil {
					return werr
				}
				return err
			}
			if err != nil {
				return err
			}
			if !r.created && !r.agreed {
				if err := r.confirmWipe(); err != nil {
					return err
				}
			}
			fmt.Fprintf(r.e.Err, "installing NixOS on %s, wiping its disk (at most %s): %s\n", ip, cmdline.Format(r.limit), runner.CommandLine(argv))
			ictx, cancel := context.WithTimeout(ctx, r.limit)
			err = anywhere.Install(ictx, r.runner, argv, r.e.Err)
			cancel()
			if err != nil {
				return err
			}
			// Powering the droplet off (for a detour back) or verifying it
			// waits for the installed system's first boot.
			c, err := r.dial(ctx)
			if err != nil {
				return err
			}
			return c.Close()
		},
	}
}

// stepFollowInfect follows nixos-infect, which the droplet's user data
// runs on its first boot, through the reboot into NixOS; it is done when
// SSH showed NixOS. A failed install's logs are copied into a local file.
func stepFollowInfect() steps.Step[*routeRun] {
	return steps.Step[*routeRun]{
		Name: "follow nixos-infect through its reboot into NixOS",
		Done: func(_ context.Context, r *routeRun) (bool, error) { return r.installed(), nil },
		Do: func(ctx context.Context, r *routeRun) error {
			o := r.infect
			ictx, cancel := context.WithTimeout(ctx, o.Install)
			defer cancel()
			ip := r.ip()
			fmt.Fprintf(r.e.Err, "following the install on %s (%s) for up to %s; it ends with a reboot into NixOS\n", r.name, ip, cmdline.Format(o.Install))
			c, err := infect.Follower{
				Host: ip, SSH: r.ssh, Paths: o.Paths, Log: r.e.Err, Prefix: r.name + ": ",
				Poll: o.Poll, RebootTimeout: o.Reboot,
			}.Follow(ictx)
			if err != nil {
				return infectFailed(ictx, r.e, o, r.d, r.ssh, nil, err)
			}
			return c.Close()
		},
	}
}

// stepVerify checks the installed system: SSH with the known host key,
// NixOS, the droplet's addresses and, for nixos-anywhere, the disk layout.
// After nixos-infect, a failure copies the install's logs.
func stepVerify(route plan.Route) steps.Step[*routeRun] {
	name := "verify NixOS, the host key and the addresses"
	if route == plan.Anywhere {
		name = "verify NixOS, the host key, the addresses and the disk layout"
	}
	return steps.Step[*routeRun]{
		Name:     name,
		ReadOnly: true,
		Do: func(ctx context.Context, r *routeRun) error {
			ip := r.ip()
			want := verify.Expect{
				Layout: route == plan.Anywhere, OSRelease: r.files.OSRelease, Disks: r.files.Disks, Units: r.files.Units,
				WaitTimeout: r.e.Wait.Timeout, Poll: r.e.Wait.SSHProbe, Log: r.e.Err, Explain: hints.Explain,
			}
			if route == plan.Infect {
				want.WaitTimeout, want.Poll = r.infect.Reboot, r.infect.Poll
			}
			if r.d != nil {
				want.IPv4, _ = r.d.PublicIPv4()
				want.IPv6, _ = r.d.PublicIPv6()
			}
			var err error
			r.verified, err = verify.Run(ctx, ip, r.ssh, want)
			if werr := display.Print(r.reports, false, display.Report(r.verified)); werr != nil {
				return werr
			}
			if err != nil && route == plan.Infect {
				return infectFailed(ctx, r.e, r.infect, r.d, r.ssh, nil, err)
			}
			return err
		},
	}
}

// stateVersion is what an install by route gives system.stateVersion, for
// a host entry's plan; "" = the repository's configuration says.
func stateVersion(route plan.Route) string {
	if route == plan.Infect {
		return infect.StateVersion
	}
	return ""
}

// stepRecordHost writes the droplet's host entry under hosts/<name>/, from
// what the install left on it, and says to commit it; it is done when an
// entry of that name, route and address is there.
func stepRecordHost(route plan.Route) steps.Step[*routeRun] {
	in := hosts.Install{Route: route, StateVersion: stateVersion(route)}
	return steps.Step[*routeRun]{
		Name: "record the host under " + hosts.Dir + "/",
		Done: func(_ context.Context, r *routeRun) (bool, error) {
			if r.name == "" {
				return false, nil
			}
			all, err := hosts.Load(r.e.hostsDir())
			return err == nil && slices.ContainsFunc(all, func(h hosts.Host) bool {
				return h.Name == r.name && h.Route == in.Route && h.Address == r.ip()
			}), err
		},
		Do: func(ctx context.Context, r *routeRun) error {
			c, err := remote.Dial(ctx, r.ip(), r.ssh)
			if err != nil {
				return fmt.Errorf("log in to write the host entry: %w", err)
			}
			defer c.Close()
			in.Name, in.Address = r.name, r.ip()
			if in.Name == "" {
				// No droplet of the account has the address: the machine
				// is named as it calls itself (cloud-init names it after
				// its droplet).
				out, err := c.Output(ctx, "hostname")
				if err != nil {
					return fmt.Errorf("ask %s its name for the host entry: %w", in.Address, err)
				}
				in.Name = strings.TrimSpace(string(out))
			}
			return RecordHost(ctx, r.e, c, r.host, in)
		},
	}
}
