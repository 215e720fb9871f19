package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/actions"
	"github.com/Gleipnir-Technology/nixos-systems/internal/anywhere"
	"github.com/Gleipnir-Technology/nixos-systems/internal/display"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hints"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
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
	Host    HostFiles      // where the host entry's files come from; zero = the droplet's and the repository's
	Actions actions.Client // pacing of power and resize actions; its API fields are filled in
}

// UpTimeout bounds a whole up unless told otherwise: nixos-anywhere's own
// 30 minutes, or nixos-infect's 45, and the detour's power and resize
// actions.
const UpTimeout = time.Hour

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
	blocked error  // what must be mended before the run can start; only a dry run gets this far with it
	r       *routeRun
	list    []steps.Step[*routeRun]
}

// Up brings droplet name to a verified NixOS by route o.Route: it creates
// the droplet or finds this repo's droplet of that name, installs NixOS
// unless SSH shows it installed already, verifies it and prints one report.
// nixos-anywhere on a size under 2 GB installs on a larger size for the
// while (CPU and RAM only) and returns. Every decision is read from the
// droplet, so running Up again after a stop at any point finishes the job.
func Up(ctx context.Context, e *Env, name string, o UpOptions) (err error) {
	defer explain(&err)
	u, err := planUp(ctx, e, name, o)
	if err != nil {
		return err
	}
	if o.DryRun {
		if err := e.print(o.JSON, display.UpPlan(u.outline())); err != nil {
			return err
		}
		if !o.JSON {
			if err := showHostPlan(e, o.Host, hosts.Install{Name: name, Route: hosts.Route(u.route), Address: u.r.ip(), StateVersion: stateVersion(u.route)}); err != nil {
				return err
			}
		}
		return u.blocked
	}
	if err := display.Print(e.Err, false, display.UpPlan(u.outline())); err != nil {
		return err
	}
	start := time.Now()
	rctx, cancel := context.WithTimeout(ctx, u.timeout)
	defer cancel()
	records, err := steps.Run(rctx, u.list, u.r, e.Err)
	if err != nil {
		return u.stopped(err)
	}
	took := time.Since(start)
	res := plan.Result{
		Droplet: droplets.Describe(*u.r.d, e.Now()), Route: u.route, Install: u.plan.Cost(took),
		Steps: records, Verified: u.r.verified, Changed: steps.Changed(records), Seconds: took.Seconds(),
	}
	if u.plan.Detour != nil {
		res.Detour = u.plan.Detour.Slug
	}
	if err := e.print(o.JSON, display.UpResult(res, e.Now())); err != nil {
		return err
	}
	if !res.Changed {
		fmt.Fprintf(e.Err, "droplet %s was a verified NixOS already: nothing changed\n", name)
	}
	fmt.Fprintf(e.Err, "NixOS runs on droplet %s: %s\n", name, hints.AfterInstall(u.r.ssh.Login(u.r.ip())))
	return nil
}

// outline is what the run is about to do.
func (u *upRun) outline() plan.Outline {
	o := plan.Outline{
		Name: u.name, Route: u.route, Region: u.region, Exists: u.r.d != nil,
		Size: u.plan.Size, Why: u.why, Detour: u.plan.Detour,
		Install: u.plan.Cost(u.timeout), Timeout: u.timeout,
	}
	for _, st := range u.list {
		o.Steps = append(o.Steps, st.Name)
	}
	return o
}

// planUp checks everything that can be checked before a change: the flags,
// the SSH identity, the keys NixOS gets, the sizes of the region, and what
// the droplet, if there is one, says of itself.
func planUp(ctx context.Context, e *Env, name string, o UpOptions) (*upRun, error) {
	if err := droplets.CheckName(name); err != nil {
		return nil, err
	}
	route, err := plan.ParseRoute(cmp.Or(o.Route, string(plan.Anywhere)))
	if err != nil {
		return nil, hints.BadRoute(err)
	}
	u := &upRun{e: e, name: name, route: route, timeout: cmp.Or(o.Timeout, UpTimeout)}
	api := e.dropletAPI()

	// What the droplet says of itself, and the sizes of its region.
	existing, err := droplets.FindOwn(ctx, api, name)
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
	sizes, err := droplets.Sizes(ctx, api, u.region)
	if err != nil {
		return nil, err
	}
	spec := e.Spec(Overrides{Name: &name, Size: o.Size, Region: &u.region, IPv6: o.IPv6})
	if u.plan, err = u.choose(ctx, existing, sizes, spec, o.Size != nil); err != nil {
		return nil, err
	}

	// How the droplet will be reached, and what NixOS will let in. A dry
	// run shows its plan anyway, and then what stands in the way.
	ssh, err := e.SSHConfig()
	if err != nil {
		return nil, err
	}
	o.Infect.defaults()
	files := o.Files
	switch route {
	case plan.Anywhere:
		if c := anywhere.CheckAuthorizedKeys(files.AuthorizedKeys, ssh); c.Status == verify.Failed {
			u.blocked = c.Err
		}
	case plan.Infect:
		files.OSRelease = o.Infect.Paths.OSRelease
		spec.UserData, u.blocked = infectUserData(e, o.Infect)
	}
	if u.blocked != nil && !o.DryRun {
		return nil, u.blocked
	}

	act := o.Actions
	act.Droplets, act.Actions, act.Log = e.Client.Droplets, e.Client.DropletActions, e.Err
	u.r = &routeRun{
		e: e, ssh: ssh, act: act, name: name, d: existing, reports: e.Err,
		files: files, yes: o.Yes, runner: o.Runner, limit: AnywhereTimeout, infect: o.Infect, host: o.Host,
	}
	login, err := loginOf(ssh)
	if err != nil {
		return nil, err
	}
	if existing == nil {
		spec.Size = u.plan.Size.Slug
		checked, err := droplets.Check(ctx, api, spec)
		if err != nil {
			return nil, err
		}
		checked.Login = login
		if err := droplets.CheckLogin(ctx, api, checked); err != nil {
			if !o.DryRun {
				return nil, err
			}
			u.blocked = cmp.Or(u.blocked, err)
		}
		u.list = append(u.list, stepCreate(checked, nil))
	} else {
		have := spec
		have.Size = existing.SizeSlug
		if have.IPv6 != u.ipv6(existing) && o.IPv6 == nil {
			have.IPv6 = !have.IPv6 // the setting's default yields to what the droplet has
		}
		keys, err := droplets.AccountKeys(ctx, api, have)
		if err != nil {
			return nil, err
		}
		droplets.WarnLogin(ctx, api, droplets.Plan{Spec: have, Keys: keys, Login: login}, e.Err)
		u.list = append(u.list, stepSettle(), stepConverge(have, login))
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
		u.list = append(u.list, stepPowerOn(" as "+u.plan.Detour.Slug), stepInstallAnywhere())
		u.list = append(u.list, detourBack(u.plan.Size, u.tag, act.Grace())...)
	default:
		u.list = append(u.list, stepInstallAnywhere())
	}
	u.list = append(u.list, stepVerify(route), stepRecordHost(route))
	return u, nil
}

// ipv6 reports whether droplet d has IPv6.
func (u *upRun) ipv6(d *godo.Droplet) bool {
	v6, _ := d.PublicIPv6()
	return v6 != "" || slices.Contains(d.Features, "ipv6")
}

// matches refuses flags that would ask an existing droplet to be what it
// is not; up changes a droplet's size only for the detour.
func (u *upRun) matches(d *godo.Droplet, o UpOptions) error {
	if o.Region != nil && d.Region != nil && d.Region.Slug != *o.Region {
		return hints.UpMismatch(d.Name, "region", d.Region.Slug, *o.Region)
	}
	if d.Region != nil {
		u.region = d.Region.Slug
	}
	size := cmp.Or(plan.ReturnSize(d.Tags), d.SizeSlug)
	if o.Size != nil && *o.Size != size {
		return hints.UpMismatch(d.Name, "size", size, *o.Size)
	}
	if v6 := u.ipv6(d); o.IPv6 != nil && *o.IPv6 != v6 {
		return hints.UpMismatch(d.Name, "ipv6", strconv.FormatBool(v6), strconv.FormatBool(*o.IPv6))
	}
	return nil
}

// choose plans the size: an existing droplet's own (or the one it goes
// back to), -size (spec.Size, when sized), or the cheapest in the region
// that carries the route.
func (u *upRun) choose(ctx context.Context, d *godo.Droplet, sizes []droplets.Size, spec droplets.Spec, sized bool) (plan.Plan, error) {
	find := func(slug string) (droplets.Size, bool) {
		for _, s := range sizes {
			if s.Slug == slug {
				return s, true
			}
		}
		return droplets.Size{}, false
	}
	switch {
	case d != nil:
		slug := cmp.Or(plan.ReturnSize(d.Tags), d.SizeSlug)
		u.why = "the size of droplet " + d.Name
		if slug != d.SizeSlug {
			u.why = "the size droplet " + d.Name + " goes back to after the install"
		}
		s, ok := find(slug)
		if !ok {
			return plan.Plan{}, droplets.ErrSizeNotInRegion.Errorf("droplet %s's size %s is not offered in %s any more", d.Name, slug, u.region)
		}
		return plan.New(u.route, s, sizes, d.Disk)
	case sized:
		// -size: unknown, or not offered here, as create would say.
		u.why = hints.SizeFlag
		s, ok := find(spec.Size)
		if !ok {
			_, err := droplets.Check(ctx, u.e.dropletAPI(), spec)
			return plan.Plan{}, cmp.Or(err, droplets.ErrSizeNotInRegion.Errorf("size %q is not offered in %s", spec.Size, u.region))
		}
		return plan.New(u.route, s, sizes, 0)
	}
	u.why = fmt.Sprintf("the cheapest in %s that carries route %s", u.region, u.route)
	return plan.Cheapest(u.route, sizes)
}

// stopped is a stopped run's error with where the droplet is now, read
// afresh: the context of the run may be what ended.
func (u *upRun) stopped(err error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	st := &plan.Stopped{Err: err, Name: u.name, Route: u.route}
	r := u.r
	if r.d == nil {
		d, ferr := droplets.FindOwn(ctx, u.e.dropletAPI(), u.name)
		if ferr != nil || d == nil {
			st.Unread = ferr
			return st
		}
		r.d = d
	} else if ferr := r.refresh(ctx); ferr != nil {
		st.Unread = ferr
		return st
	}
	d := droplets.Describe(*r.d, u.e.Now())
	st.Droplet = &d
	if u.plan.Detour != nil && d.Size != u.plan.Size.Slug {
		st.Back = &u.plan.Size
	}
	return st
}
