package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/anywhere"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hints"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/plan"
	"github.com/Gleipnir-Technology/nixos-systems/internal/prompt"
	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
	"github.com/Gleipnir-Technology/nixos-systems/internal/settings"
	"github.com/Gleipnir-Technology/nixos-systems/internal/steps"
)

// AnywhereOptions are the flags of the anywhere target, and what tests replace.
type AnywhereOptions struct {
	Force   bool           // go on despite too little memory, an installed NixOS, or a machine this repo did not make
	Yes     bool           // do not ask before wiping the disk
	DryRun  bool           // check and print the command, install nothing
	Timeout time.Duration  // how long nixos-anywhere may run; 0 = AnywhereTimeout
	Runner  runner.Runner  // nil = run nixos-anywhere for real, never at this machine (anywhere.CheckTarget)
	Files   anywhere.Files // zero = the real files
	Host    HostFiles      // where the host entry's files come from; zero = the droplet's and the repository's
}

// AnywhereTimeout is how long nixos-anywhere may run unless told otherwise.
const AnywhereTimeout = 30 * time.Minute

// target is the machine the anywhere target works on.
type target struct {
	ip      string
	droplet *godo.Droplet // nil when the API does not know the address
}

// Anywhere turns host (an IPv4 address, or a droplet's name or ID; a leading
// "host=" as mage passes it is dropped) into NixOS with nixos-anywhere:
// preflight checks, the install, and verification of the result. Reports go
// to e.Out, nixos-anywhere's output and progress to e.Err.
func Anywhere(ctx context.Context, e *Env, host string, o AnywhereOptions) (err error) {
	defer explain(&err)
	host = strings.TrimPrefix(host, "host=")
	// The host first: a mistyped name says more than a missing key.
	t, err := resolveTarget(ctx, e, host)
	if err != nil {
		return err
	}
	cfg, err := e.SSHConfig()
	if err != nil {
		return err
	}

	r := &routeRun{
		e: e, ssh: cfg, d: t.droplet, addr: t.ip, reports: e.Out,
		files: o.Files, yes: o.Yes, force: o.Force, dryRun: o.DryRun, fitting: fittingSizes(e, t),
		runner: o.Runner, limit: cmp.Or(o.Timeout, AnywhereTimeout), host: o.Host,
	}
	if t.droplet != nil {
		r.name = t.droplet.Name
	}
	if o.DryRun {
		err := runSteps(ctx, e, []steps.Step[*routeRun]{stepInstallAnywhere()}, r)
		if t.droplet == nil {
			fmt.Fprintf(e.Out, "host entry: written once %s runs NixOS, under %s/<its hostname>/\n", t.ip, e.hostsDir())
		} else if perr := showHostPlan(e, o.Host, hosts.Install{Name: t.droplet.Name, Route: hosts.Anywhere, Address: t.ip}); perr != nil {
			return errors.Join(err, perr)
		}
		return err
	}
	if err := runSteps(ctx, e, []steps.Step[*routeRun]{stepInstallAnywhere(), stepVerify(plan.Anywhere)}, r); err != nil {
		return err
	}
	fmt.Fprintf(e.Err, "NixOS runs on %s: %s\n", t.ip, hints.AfterInstall(cfg.Login(t.ip)))
	return runSteps(ctx, e, []steps.Step[*routeRun]{stepRecordHost(plan.Anywhere)}, r)
}

// checkHost checks anywhere's host as typed: an IP address, or a droplet's
// name or ID, with or without "host=" before it.
func checkHost(host string) error {
	h := strings.TrimPrefix(host, "host=")
	if net.ParseIP(h) != nil || droplets.CheckRef(h) == nil {
		return nil
	}
	return fmt.Errorf("%q is neither an IP address nor a droplet name or ID", h)
}

// confirmWipe stands between the preflight and an install that erases the
// disk: the machine must be one this repo made (or forced), and the operator
// says yes, so a mistyped name or address cannot wipe a server.
func (r *routeRun) confirmWipe() error {
	ch := prompt.Change{Override: "wipe it anyway", Refused: "not installed"}
	what := r.ip()
	switch {
	case r.d != nil:
		what = fmt.Sprintf("droplet %s (id %d, %s)", r.d.Name, r.d.ID, r.ip())
		if !droplets.Managed(*r.d) {
			ch.Foreign = fmt.Errorf("%s was not made by this repo (no tag %s), and this route wipes its disk", what, settings.ManagedTag)
		}
	case r.e.Client != nil:
		ch.Foreign = fmt.Errorf("no droplet of this account has the address %s, and this route wipes its disk; check the address", r.ip())
	}
	ch.Question = fmt.Sprintf("Wipe the disk of %s and install NixOS?", what)
	return prompt.Consent{Yes: r.yes, Force: r.force, In: r.e.In, Out: r.e.Err}.Allow(ch)
}

// resolveTarget finds host's IPv4 address and, when the API is at hand, its
// droplet, whose addresses verification checks.
func resolveTarget(ctx context.Context, e *Env, host string) (target, error) {
	if net.ParseIP(host) == nil {
		if e.Client == nil {
			return target{}, hints.NameWithoutToken(host)
		}
		d, err := droplets.Resolve(ctx, e.dropletAPI(), host)
		if err != nil {
			return target{}, err
		}
		ip, _ := d.PublicIPv4()
		if ip == "" {
			return target{}, hints.NoAddressYet(d.Name, d.ID)
		}
		fmt.Fprintf(e.Err, "droplet %s (id %d) is at %s\n", d.Name, d.ID, ip)
		return target{ip: ip, droplet: d}, nil
	}
	if e.Client == nil {
		fmt.Fprintf(e.Err, "warning: no DigitalOcean token, so the droplet's addresses cannot be looked up and will not be checked after the install\n")
		return target{ip: host}, nil
	}
	d, err := droplets.WithIPv4(ctx, e.dropletAPI(), host)
	if err != nil {
		return target{}, err
	}
	if d == nil {
		fmt.Fprintf(e.Err, "warning: no droplet of this account has the address %s, so its addresses will not be checked after the install\n", host)
	}
	return target{ip: host, droplet: d}, nil
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
		sizes, err := droplets.Sizes(ctx, e.dropletAPI(), region)
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
