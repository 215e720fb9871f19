package app

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/actions"
	"github.com/Gleipnir-Technology/nixos-systems/internal/anywhere"
	"github.com/Gleipnir-Technology/nixos-systems/internal/display"
	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hints"
	"github.com/Gleipnir-Technology/nixos-systems/internal/infect"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
	"github.com/Gleipnir-Technology/nixos-systems/internal/steps"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

// routeRun is what the steps of the routes to NixOS share: the droplet as
// last read, how to reach it, and what was seen on it. Every decision a
// step makes comes from here, and all of it is read from the droplet.
type routeRun struct {
	e   *Env
	ssh remote.Config
	act actions.Client

	name    string
	d       *godo.Droplet    // nil until found or made
	created bool             // made by this run: nothing of the operator's is on its disk
	sys     verify.OSRelease // what SSH showed; zero until looked at
	files   anywhere.Files
	yes     bool // the operator agreed in advance to wiping the disk

	runner runner.Runner // nixos-anywhere; nil = the real one
	limit  time.Duration // how long nixos-anywhere may run

	infect InfectOptions // route infect: where the install leaves its traces, pacing

	verified verify.Report
}

// ip is the droplet's public IPv4, "" before it has one.
func (r *routeRun) ip() string {
	if r.d == nil {
		return ""
	}
	ip, _ := r.d.PublicIPv4()
	return ip
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
	wctx, cancel := context.WithTimeout(ctx, cmp.Or(r.e.Wait.Timeout, 10*time.Minute))
	defer cancel()
	start := time.Now()
	err := remote.WaitForSSH(wctx, addr, r.e.Wait.SSHProbe, func(elapsed time.Duration) {
		fmt.Fprintf(r.e.Err, "  still waiting for SSH on %s (%s)\n", addr, elapsed.Round(time.Second))
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("droplet %s does not answer SSH after %s: %w", r.name, time.Since(start).Round(time.Second), err)
	}
	return remote.Dial(ctx, r.ip(), r.ssh)
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

// stepPowerOn turns the droplet on when it is off; an interrupted detour
// leaves it so.
func stepPowerOn(why string) steps.Step[*routeRun] {
	return steps.Step[*routeRun]{
		Name: "power on" + why,
		Done: func(ctx context.Context, r *routeRun) (bool, error) {
			err := r.refresh(ctx)
			return err == nil && r.d.Status != actions.StatusOff, err
		},
		Do: func(ctx context.Context, r *routeRun) error {
			if err := r.act.PowerOn(ctx, r.d.ID); err != nil {
				return err
			}
			return r.refresh(ctx)
		},
	}
}

// stepLook reads over SSH which system the droplet runs, which is how the
// later steps know whether the install happened.
func stepLook() steps.Step[*routeRun] {
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
			return nil
		},
	}
}

// stepInstallAnywhere checks the droplet and installs NixOS on it with
// nixos-anywhere, asking first unless this run made the droplet; it is
// done when SSH showed an installed NixOS. It ends when the installed
// system answers SSH.
func stepInstallAnywhere() steps.Step[*routeRun] {
	return steps.Step[*routeRun]{
		Name: "install NixOS with nixos-anywhere, wiping the disk",
		Done: func(_ context.Context, r *routeRun) (bool, error) { return r.installed(), nil },
		Do: func(ctx context.Context, r *routeRun) error {
			ip := r.ip()
			rep, err := anywhere.Preflight(ctx, ip, r.ssh, anywhere.Checks{Files: r.files, Explain: hints.Explain})
			if werr := display.Print(r.e.Err, false, display.Report(rep)); werr != nil {
				return werr
			}
			if err != nil {
				return err
			}
			if !r.created {
				if err := confirmWipe(r.e, target{ip: ip, droplet: r.d}, AnywhereOptions{Yes: r.yes}); err != nil {
					return err
				}
			}
			argv := anywhere.Command(ip, r.ssh)
			fmt.Fprintf(r.e.Err, "installing NixOS on %s, wiping its disk (at most %s): %s\n", ip, r.limit, runner.CommandLine(argv))
			ictx, cancel := context.WithTimeout(ctx, r.limit)
			err = anywhere.Install(ictx, r.runner, argv, r.e.Err)
			cancel()
			if err != nil {
				return err
			}
			c, err := r.dial(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			r.sys, err = verify.ReadOSRelease(ctx, c, r.files.OSRelease)
			return err
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
			fmt.Fprintf(r.e.Err, "following the install on %s (%s) for up to %s; it ends with a reboot into NixOS\n", r.name, ip, o.Install)
			c, err := infect.Follower{
				Host: ip, SSH: r.ssh, Paths: o.Paths, Log: r.e.Err, Prefix: r.name + ": ",
				Poll: o.Poll, RebootTimeout: o.Reboot,
			}.Follow(ictx)
			if err != nil {
				return infectFailed(ictx, r.e, o, r.d, r.ssh, nil, err)
			}
			defer c.Close()
			r.sys, err = verify.ReadOSRelease(ctx, c, o.Paths.OSRelease)
			return err
		},
	}
}

// stepVerify checks the installed system: SSH with the known host key,
// NixOS, the droplet's addresses and, for nixos-anywhere, the disk layout.
func stepVerify(layout bool) steps.Step[*routeRun] {
	return steps.Step[*routeRun]{
		Name:     "verify NixOS, the host key, the addresses" + map[bool]string{true: " and the disk layout"}[layout],
		ReadOnly: true,
		Do: func(ctx context.Context, r *routeRun) error {
			ip := r.ip()
			want := verify.Expect{
				Layout: layout, OSRelease: r.files.OSRelease, Disks: r.files.Disks,
				WaitTimeout: r.e.Wait.Timeout, Poll: r.e.Wait.SSHProbe, Log: r.e.Err, Explain: hints.Explain,
			}
			want.IPv4, _ = r.d.PublicIPv4()
			want.IPv6, _ = r.d.PublicIPv6()
			var err error
			r.verified, err = verify.Run(ctx, ip, r.ssh, want)
			return err
		},
	}
}
