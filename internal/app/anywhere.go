package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/anywhere"
	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/prompt"
	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
	"github.com/Gleipnir-Technology/nixos-systems/internal/settings"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

// AnywhereOptions are the flags of `mage anywhere`, and what tests replace.
type AnywhereOptions struct {
	Force   bool           // go on despite too little memory, an installed NixOS, or a machine this repo did not make
	Yes     bool           // do not ask before wiping the disk
	DryRun  bool           // check and print the command, install nothing
	Timeout time.Duration  // how long nixos-anywhere may run; 0 = 30m
	Runner  runner.Runner  // nil = run nixos-anywhere for real
	Files   anywhere.Files // zero = the real files
}

// target is the machine `mage anywhere` works on.
type target struct {
	ip      string
	droplet *godo.Droplet // nil when the API does not know the address
}

// Anywhere turns host (an IPv4 address, or a droplet's name or ID; a leading
// "host=" as mage passes it is dropped) into NixOS with nixos-anywhere:
// preflight checks, the install, and verification of the result. Reports go
// to e.Out, nixos-anywhere's output and progress to e.Err.
func Anywhere(ctx context.Context, e *Env, host string, o AnywhereOptions) error {
	host = strings.TrimPrefix(host, "host=")
	if host == "" {
		return errors.New("no host: name the droplet, e.g. `mage anywhere host=203.0.113.7` or `mage anywhere host=nixos-1`")
	}
	if strings.HasPrefix(host, "-") {
		// mage takes a target's arguments before its flags.
		return fmt.Errorf("%q is a flag where the host belongs: put flags after it, e.g. `mage anywhere host=203.0.113.7 %s`", host, host)
	}
	cfg, err := e.SSHConfig("")
	if err != nil {
		return err
	}
	t, err := resolveTarget(ctx, e, host)
	if err != nil {
		return err
	}

	rep, err := anywhere.Preflight(ctx, t.ip, cfg, anywhere.Checks{
		Files: o.Files, Force: o.Force, FittingSizes: fittingSizes(e, t),
	})
	if werr := rep.Write(e.Out); werr != nil {
		return werr
	}
	argv := anywhere.Command(t.ip, cfg)
	if o.DryRun {
		fmt.Fprintf(e.Out, "nixos-anywhere command (not run: -dryrun):\n  %s\n", anywhere.CommandLine(argv))
		return err
	}
	if err != nil {
		return err
	}

	if err := confirmWipe(e, t, o); err != nil {
		return err
	}

	timeout := o.Timeout
	if timeout == 0 {
		timeout = 30 * time.Minute
	}
	fmt.Fprintf(e.Err, "installing NixOS on %s, wiping its disk (at most %s): %s\n", t.ip, timeout, anywhere.CommandLine(argv))
	ictx, cancel := context.WithTimeout(ctx, timeout)
	err = anywhere.Install(ictx, o.Runner, argv, e.Err)
	cancel()
	if err != nil {
		return err
	}

	want := verify.Expect{
		Layout: true, OSRelease: o.Files.OSRelease,
		WaitTimeout: e.Wait.Timeout, Poll: e.Wait.SSHProbe, Log: e.Err,
	}
	if t.droplet != nil {
		want.IPv4, _ = t.droplet.PublicIPv4()
		want.IPv6, _ = t.droplet.PublicIPv6()
	}
	rep, err = verify.Run(ctx, t.ip, cfg, want)
	if werr := rep.Write(e.Out); werr != nil {
		return werr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Err, "NixOS runs on %s: ssh root@%s\n", t.ip, t.ip)
	return nil
}

// confirmWipe stands between the preflight and an install that erases the
// disk: the machine must be one this repo made (or -force), and the operator
// says yes (or -yes), so a mistyped name or address cannot wipe a server.
func confirmWipe(e *Env, t target, o AnywhereOptions) error {
	what := t.ip
	switch {
	case t.droplet != nil:
		what = fmt.Sprintf("droplet %s (id %d, %s)", t.droplet.Name, t.droplet.ID, t.ip)
		if !droplets.Managed(*t.droplet) && !o.Force {
			return fmt.Errorf("%s was not made by this repo (no tag %s), and this route wipes its disk; pass -force if you mean it", what, settings.ManagedTag)
		}
	case e.Client != nil && !o.Force:
		return fmt.Errorf("no droplet of this account has the address %s, and this route wipes its disk; check the address, or pass -force if you mean it", t.ip)
	}
	if !o.Yes && !prompt.YesNo(e.In, e.Err, fmt.Sprintf("Wipe the disk of %s and install NixOS?", what)) {
		return errors.New("not installed: answer y to the question, or pass -yes")
	}
	return nil
}

// resolveTarget finds host's IPv4 address and, when the API is at hand, its
// droplet, whose addresses verification checks.
func resolveTarget(ctx context.Context, e *Env, host string) (target, error) {
	if net.ParseIP(host) == nil {
		if e.Client == nil {
			return target{}, fmt.Errorf("%q is not an IP address, and finding a droplet by name needs a DigitalOcean token: export DIGITALOCEAN_ACCESS_TOKEN, or pass host=<ip>", host)
		}
		d, err := droplets.Resolve(ctx, e.Client, host)
		if err != nil {
			return target{}, err
		}
		ip, _ := d.PublicIPv4()
		if ip == "" {
			return target{}, fmt.Errorf("droplet %s (id %d) has no public IPv4 address yet; wait until it is active (`mage list`)", d.Name, d.ID)
		}
		fmt.Fprintf(e.Err, "droplet %s (id %d) is at %s\n", d.Name, d.ID, ip)
		return target{ip: ip, droplet: d}, nil
	}
	if e.Client == nil {
		fmt.Fprintf(e.Err, "warning: no DigitalOcean token, so the droplet's addresses cannot be looked up and will not be checked after the install\n")
		return target{ip: host}, nil
	}
	d, err := dropletWithIP(ctx, e.Client, host)
	if err != nil {
		return target{}, err
	}
	if d == nil {
		fmt.Fprintf(e.Err, "warning: no droplet of this account has the address %s, so its addresses will not be checked after the install\n", host)
	}
	return target{ip: host, droplet: d}, nil
}

// dropletWithIP returns the account's droplet whose public IPv4 is ip, or nil.
func dropletWithIP(ctx context.Context, c *godo.Client, ip string) (*godo.Droplet, error) {
	ds, err := doapi.ListAll(ctx, c.Droplets.List)
	if err != nil {
		return nil, fmt.Errorf("look for the droplet with address %s: %w", ip, doapi.Explain(err))
	}
	for i := range ds {
		if v4, _ := ds[i].PublicIPv4(); v4 == ip {
			return &ds[i], nil
		}
	}
	return nil, nil
}

// fittingSizes lists, for the preflight's advice, the three cheapest sizes
// offered in the droplet's region that nixos-anywhere fits in; nil without
// the API.
func fittingSizes(e *Env, t target) func(context.Context) ([]string, error) {
	if e.Client == nil {
		return nil
	}
	region := e.Settings.Region
	if t.droplet != nil && t.droplet.Region != nil {
		region = t.droplet.Region.Slug
	}
	return func(ctx context.Context) ([]string, error) {
		sizes, err := droplets.Sizes(ctx, e.Client, region)
		if err != nil {
			return nil, err
		}
		var fit []string
		for _, s := range sizes {
			if s.MemoryMB >= droplets.AnywhereMinMB && len(fit) < 3 {
				fit = append(fit, s.Slug)
			}
		}
		return fit, nil
	}
}
