package app

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/actions"
	"github.com/Gleipnir-Technology/nixos-systems/internal/anywhere"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/plan"
	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
	"github.com/Gleipnir-Technology/nixos-systems/internal/steps"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

// UpOptions are the flags of `mage up`, and what tests replace.
type UpOptions struct {
	Route   string        // anywhere or infect; "" = anywhere
	Size    *string       // nil = the cheapest size in the region that carries the route
	Region  *string       // nil = DROPLET_REGION
	IPv6    *bool         // nil = DROPLET_IPV6
	Yes     bool          // do not ask before wiping a droplet this run did not make
	DryRun  bool          // print the plan, change nothing
	JSON    bool          // print the plan or the report as JSON
	Timeout time.Duration // the whole run; 0 = 1h

	Runner  runner.Runner  // nixos-anywhere; nil = the real one
	Files   anywhere.Files // zero = the real files
	Infect  InfectOptions  // route infect: template, keys, paths and pacing; zero = the real ones
	Actions actions.Client // pacing of power and resize actions; its API fields are filled in
}

// upDefaultTimeout bounds a whole `up`: nixos-anywhere's own 30 minutes, or
// nixos-infect's 45, and the detour's power and resize actions.
const upDefaultTimeout = time.Hour

// anywhereLimit bounds the nixos-anywhere run inside `up`, as `mage
// anywhere` does by default.
const anywhereLimit = 30 * time.Minute

// upRun is one `up`: what was decided before anything changed, and the
// steps that carry it out.
type upRun struct {
	e       *Env
	name    string
	route   plan.Route
	region  string
	plan    plan.Plan
	timeout time.Duration
	tag     string // records the size to go back to; "" without a detour
	why     string // why this size
	r       *routeRun
	list    []steps.Step[*routeRun]
}

// Up brings droplet name to a verified NixOS by route o.Route: it creates
// the droplet or finds this repo's droplet of that name, installs NixOS
// unless SSH shows it installed already, verifies it and prints one report.
// nixos-anywhere on a size under 2 GB installs on a larger size for the
// while (CPU and RAM only) and returns. Every decision is read from the
// droplet, so running Up again after a stop at any point finishes the job.
func Up(ctx context.Context, e *Env, name string, o UpOptions) error {
	u, err := planUp(ctx, e, name, o)
	if err != nil {
		return err
	}
	if o.DryRun {
		if o.JSON {
			return writeJSON(e.Out, u.summary())
		}
		return u.writePlan(e.Out)
	}
	if err := u.writePlan(e.Err); err != nil {
		return err
	}
	start := time.Now()
	rctx, cancel := context.WithTimeout(ctx, u.timeout)
	defer cancel()
	records, err := steps.Run(rctx, u.list, u.r, e.Err)
	if err != nil {
		return u.stopped(err)
	}
	rep := u.report(records, time.Since(start))
	if o.JSON {
		return writeJSON(e.Out, rep)
	}
	if err := rep.write(e.Out); err != nil {
		return err
	}
	if !rep.Changed {
		fmt.Fprintf(e.Err, "droplet %s was a verified NixOS already: nothing changed\n", name)
	}
	fmt.Fprintf(e.Err, "NixOS runs on droplet %s: ssh root@%s\n", name, u.r.ip())
	return nil
}

// planUp checks everything that can be checked before a change: the flags,
// the SSH identity, the keys NixOS gets, the sizes of the region, and what
// the droplet, if there is one, says of itself.
func planUp(ctx context.Context, e *Env, name string, o UpOptions) (*upRun, error) {
	if name == "" || strings.HasPrefix(name, "-") {
		return nil, fmt.Errorf("no droplet name: give it first, e.g. `mage up nixos-1 -route=infect`, got %q", name)
	}
	if err := droplets.CheckName(name); err != nil {
		return nil, err
	}
	route, err := plan.ParseRoute(cmp.Or(o.Route, string(plan.Anywhere)))
	if err != nil {
		return nil, fmt.Errorf("-route: %w", err)
	}
	if o.Timeout < 0 {
		return nil, fmt.Errorf("-timeout=%s is negative: give how long the whole run may take, e.g. -timeout=90m (0 = %s)", o.Timeout, upDefaultTimeout)
	}
	u := &upRun{e: e, name: name, route: route, timeout: cmp.Or(o.Timeout, upDefaultTimeout)}
	ssh, err := e.SSHConfig("")
	if err != nil {
		return nil, err
	}
	o.Infect.defaults()
	files := o.Files
	var userData string
	switch route {
	case plan.Anywhere:
		if c := anywhere.CheckAuthorizedKeys(files.AuthorizedKeys, ssh); c.Status == verify.Failed {
			return nil, c.Err
		}
	case plan.Infect:
		files.OSRelease = o.Infect.Paths.OSRelease
		if userData, err = infectUserData(e, o.Infect); err != nil {
			return nil, err
		}
	}
	existing, err := droplets.FindOwn(ctx, e.Client, name)
	if err != nil {
		return nil, err
	}
	u.region = e.Settings.Region
	if o.Region != nil {
		u.region = *o.Region
	}
	if existing != nil {
		if err := u.matches(existing, o); err != nil {
			return nil, err
		}
	}
	sizes, err := droplets.Sizes(ctx, e.Client, u.region)
	if err != nil {
		return nil, err
	}
	if u.plan, err = u.choose(existing, sizes, o.Size); err != nil {
		return nil, err
	}

	act := o.Actions
	act.Droplets, act.Actions, act.Log = e.Client.Droplets, e.Client.DropletActions, e.Err
	u.r = &routeRun{
		e: e, ssh: ssh, act: act, name: name, d: existing, files: files, yes: o.Yes,
		runner: o.Runner, limit: anywhereLimit, infect: o.Infect,
	}
	u.list = []steps.Step[*routeRun]{}
	if existing == nil {
		spec := e.Spec(Overrides{Name: &name, Size: &u.plan.Size.Slug, Region: &u.region, IPv6: o.IPv6})
		spec.UserData = userData
		checked, err := droplets.Check(ctx, e.Client, spec)
		if err != nil {
			return nil, err
		}
		u.list = append(u.list, stepCreate(checked, nil))
	}
	u.list = append(u.list, stepPowerOn(""), stepLook())
	switch {
	case route == plan.Infect:
		u.list = append(u.list, stepFollowInfect())
	case u.plan.Detour != nil:
		if u.tag, err = plan.ReturnTag(u.plan.Size.Slug); err != nil {
			return nil, err
		}
		u.list = append(u.list, detourThere(*u.plan.Detour, u.tag, act.Grace())...)
		u.list = append(u.list, stepPowerOn(" on "+u.plan.Detour.Slug), stepInstallAnywhere())
		u.list = append(u.list, detourBack(u.plan.Size, u.tag, act.Grace())...)
	default:
		u.list = append(u.list, stepInstallAnywhere())
	}
	// Issue 13's "record the host" step, which writes hosts/<name>/, goes
	// after the verification.
	u.list = append(u.list, stepVerify(route == plan.Anywhere))
	return u, nil
}

// matches refuses flags that would ask an existing droplet to be what it
// is not; up changes a droplet's size only for the detour.
func (u *upRun) matches(d *godo.Droplet, o UpOptions) error {
	if o.Region != nil && d.Region != nil && d.Region.Slug != *o.Region {
		return fmt.Errorf("droplet %s exists in %s, not -region=%s: drop -region, or pick another name", d.Name, d.Region.Slug, *o.Region)
	}
	if d.Region != nil {
		u.region = d.Region.Slug
	}
	size := cmp.Or(plan.ReturnSize(d.Tags), d.SizeSlug)
	if o.Size != nil && *o.Size != size {
		return fmt.Errorf("droplet %s exists with size %s; up does not resize it to -size=%s: drop -size, or pick another name", d.Name, size, *o.Size)
	}
	return nil
}

// choose plans the size: an existing droplet's own (or the one it goes
// back to), -size, or the cheapest in the region that carries the route.
func (u *upRun) choose(d *godo.Droplet, sizes []droplets.Size, flag *string) (plan.Plan, error) {
	find := func(slug string) (droplets.Size, error) {
		for _, s := range sizes {
			if s.Slug == slug {
				return s, nil
			}
		}
		return droplets.Size{}, fmt.Errorf("size %q is not offered in %s: `mage sizes -region=%s` lists the sizes that are", slug, u.region, u.region)
	}
	switch {
	case d != nil && plan.ReturnSize(d.Tags) != "":
		u.why = "the size droplet " + d.Name + " goes back to after the install"
	case d != nil:
		u.why = "the size of droplet " + d.Name
	case flag != nil:
		u.why = "-size"
	default:
		u.why = fmt.Sprintf("the cheapest in %s that carries route %s", u.region, u.route)
	}
	switch {
	case d != nil:
		s, err := find(cmp.Or(plan.ReturnSize(d.Tags), d.SizeSlug))
		if err != nil {
			return plan.Plan{}, err
		}
		return plan.New(u.route, s, sizes, d.Disk)
	case flag != nil:
		s, err := find(*flag)
		if err != nil {
			return plan.Plan{}, err
		}
		return plan.New(u.route, s, sizes, 0)
	}
	return plan.Cheapest(u.route, sizes)
}

// stopped adds to a stopped run's error where the droplet is now, what it
// costs there, and the one command that finishes the job.
func (u *upRun) stopped(err error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return fmt.Errorf("%w; %s", err, u.whereNow(ctx))
}

// whereNow reads the droplet and says where it is, what it costs there and
// how to finish or undo the run.
func (u *upRun) whereNow(ctx context.Context) string {
	r := u.r
	if r.d == nil {
		d, err := droplets.FindOwn(ctx, u.e.Client, u.name)
		switch {
		case err != nil:
			return fmt.Sprintf("whether droplet %s was made could not be read (%v): `mage list` shows it if it was", u.name, err)
		case d == nil:
			return fmt.Sprintf("no droplet %s was made; `%s` tries again", u.name, upCommand(u.name, u.route))
		}
		r.d = d
	} else if err := r.refresh(ctx); err != nil {
		return fmt.Sprintf("%v; `mage list` shows where it is", err)
	}
	d := r.d
	where := fmt.Sprintf("droplet %s (id %d) is %s on %s", d.Name, d.ID, d.Status, d.SizeSlug)
	if d.Size != nil {
		where += fmt.Sprintf(" at $%0.6f/hour ($%0.2f/month)", d.Size.PriceHourly, d.Size.PriceMonthly)
	}
	finish := fmt.Sprintf("`%s` finishes the install", upCommand(u.name, u.route))
	if u.plan.Detour != nil && d.SizeSlug != u.plan.Size.Slug {
		where += fmt.Sprintf(", its size for the install: it goes back to %s ($%0.2f/month)", u.plan.Size.Slug, u.plan.Size.PriceMonthly)
		finish = fmt.Sprintf("`%s` finishes the install and resizes it back", upCommand(u.name, u.route))
	}
	return where + "; " + finish + "; " + billedHint(u.name)
}

// upCommand is the command that continues an `up` of name by route.
func upCommand(name string, route plan.Route) string {
	if route == plan.Anywhere {
		return "mage up " + name
	}
	return fmt.Sprintf("mage up %s -route=%s", name, route)
}

// billedHint is the one sentence every stop that leaves a droplet behind
// ends with.
func billedHint(name string) string {
	return fmt.Sprintf("it is billed while it exists: `mage destroy %s -yes` removes it", name)
}
