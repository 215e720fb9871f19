package app

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/actions"
	"github.com/Gleipnir-Technology/nixos-systems/internal/anywhere"
	"github.com/Gleipnir-Technology/nixos-systems/internal/display"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hints"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/infect"
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

	Runner  runner.Runner  // nixos-anywhere; nil = the real one, never run at this machine (anywhere.CheckTarget)
	Files   anywhere.Files // zero = the real files
	Infect  InfectOptions  // route infect: template, keys, paths and pacing; zero = the real ones
	Host    HostFiles      // where the host entry's files come from; zero = the droplet's and the repository's
	Actions actions.Client // pacing of power and resize actions; its API fields are filled in
}

// stopReadLimit is how long after a Ctrl-C a stopped up may still read
// where it left the droplet: within the 5 s mage allows a target after it.
const stopReadLimit = 3500 * time.Millisecond

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
	tag     string         // records the size to go back to; "" without a detour
	why     string         // why this size
	blocked error          // what must be mended before the run can start; only a dry run gets this far with it
	local   []verify.Check // whether this machine can run nixos-anywhere; none for route infect
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
	defer func() { err = hints.ExplainUp(err) }()
	u, err := planUp(ctx, e, name, o)
	if err != nil {
		return err
	}
	if o.DryRun {
		if err := e.print(o.JSON, display.UpPlan(u.outline())); err != nil {
			return err
		}
		if !o.JSON {
			if err := showHostPlan(e, o.Host, hosts.Install{Name: name, Route: u.route, Address: u.r.ip(), StateVersion: stateVersion(u.route)}); err != nil {
				return err
			}
			if len(u.local) > 0 {
				if err := e.print(false, display.Report(u.localReport())); err != nil {
					return err
				}
			}
		}
		return u.blocked
	}
	if err := display.Print(e.Err, false, display.UpPlan(u.outline())); err != nil {
		return err
	}
	start := time.Now()
	var interrupted atomic.Int64 // when ctx ended, in Unix nanoseconds
	defer context.AfterFunc(ctx, func() { interrupted.Store(time.Now().UnixNano()) })()
	rctx, cancel := context.WithTimeout(ctx, u.timeout)
	defer cancel()
	records, err := steps.Run(rctx, u.list, u.r, e.Err)
	if err != nil {
		var at time.Time // when the operator's Ctrl-C came; zero if none did
		if ctx.Err() != nil {
			at = time.Now()
			if n := interrupted.Load(); n != 0 {
				at = time.Unix(0, n)
			}
		}
		return u.stopped(err, at)
	}
	took := time.Since(start)
	res := plan.Result{
		Droplet: droplets.Describe(*u.r.d, e.Now()), Route: u.route,
		Steps: records, Verified: u.r.verified, Changed: steps.Changed(records), Seconds: took.Seconds(),
	}
	row := []droplets.Droplet{res.Droplet}
	markHosts(e, row, false)
	res.Droplet = row[0]
	if res.Changed {
		// A run that changed nothing added nothing to what the droplet
		// costs anyway.
		cost := u.plan.Cost(took)
		res.Install = &cost
		if u.plan.Detour != nil {
			res.Detour = u.plan.Detour.Slug
		}
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
	var route plan.Route
	if o.Route != "" {
		r, err := plan.ParseRoute(o.Route)
		if err != nil {
			return nil, hints.BadRoute(err)
		}
		route = r
	}
	u := &upRun{e: e, name: name, timeout: cmp.Or(o.Timeout, UpTimeout)}
	api := e.dropletAPI()

	// What the droplet says of itself, and the sizes of its region.
	existing, err := droplets.FindOwn(ctx, api, name)
	if err != nil {
		return nil, err
	}
	if u.route, err = u.decideRoute(existing, route); err != nil {
		return nil, err
	}
	route = u.route
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

	// How the droplet will be reached, what NixOS will let in, and
	// whether this machine can run nixos-anywhere. A dry run shows its
	// plan anyway, and then what stands in the way.
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
		u.local = anywhere.CheckLocal(ctx, o.Runner, "")
		// A droplet's address that is this machine's (`mage sim`'s are)
		// stops the run before it changes anything; a droplet to come is
		// checked once it has an address (stepCheckAnywhere), before the
		// detour.
		if existing != nil {
			if ip, _ := existing.PublicIPv4(); ip != "" {
				target := anywhere.CheckTarget(ip, o.Runner)
				u.local = append(u.local, target)
				if target.Status == verify.Failed {
					u.blocked = cmp.Or(u.blocked, target.Err)
				}
			}
		}
	case plan.Infect:
		files.OSRelease = o.Infect.Paths.OSRelease
		spec.UserData, u.blocked = infectUserData(e, o.Infect)
		if existing == nil {
			spec.Tags = slices.Concat(spec.Tags, []string{infect.Tag})
		}
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
		// This machine last, before the droplet is made; a droplet that
		// exists may run NixOS already and need no install, so its run
		// checks this machine once it has looked (stepCheckAnywhere),
		// before it changes anything for the install.
		for _, err := range []error{droplets.CheckLogin(ctx, api, checked), u.localReport().Err()} {
			if err != nil && !o.DryRun {
				return nil, err
			}
			u.blocked = cmp.Or(u.blocked, err)
		}
		u.list = append(u.list, stepCreate(checked, nil))
	} else {
		have := spec
		have.Size = existing.SizeSlug
		if have.IPv6 != droplets.HasIPv6(*existing) && o.IPv6 == nil {
			have.IPv6 = !have.IPv6 // the setting's default yields to what the droplet has
		}
		keys, err := droplets.AccountKeys(ctx, api, have)
		if err != nil {
			return nil, err
		}
		droplets.WarnLogin(ctx, api, droplets.Plan{Spec: have, Keys: keys, Login: login}, e.Err)
		u.list = append(u.list, stepSettle(), stepConverge(have, login))
	}
	u.list = append(u.list, stepPowerOn(""), stepLook(route))
	switch {
	case route == plan.Infect:
		u.list = append(u.list, stepFollowInfect())
	case u.plan.Detour != nil:
		if u.tag, err = plan.ReturnTag(u.plan.Size.Slug); err != nil {
			return nil, err
		}
		// Whatever stops the install before it touched the disk takes
		// the droplet back, so that no run leaves it on the larger size
		// when another run cannot finish the job either.
		back := detourBack(u.plan.Size, u.tag, act.Grace())
		u.list = append(u.list, backOnFailure(stepCheckAnywhere(), back, u.tag))
		u.list = append(u.list, detourThere(*u.plan.Detour, u.tag, act.Grace())...)
		u.list = append(u.list, stepPowerOn(" as "+u.plan.Detour.Slug), backOnFailure(stepInstallAnywhere(), back, u.tag))
		u.list = append(u.list, back...)
	default:
		u.list = append(u.list, stepCheckAnywhere(), stepInstallAnywhere())
	}
	u.list = append(u.list, stepVerify(route), stepRecordHost(route))
	return u, nil
}

// localReport is what the checks of this machine found, explained.
func (u *upRun) localReport() verify.Report {
	rep := verify.Report{Subject: "this machine, for nixos-anywhere", Explain: hints.ExplainUp}
	for _, c := range u.local {
		rep.Add(c)
	}
	return rep
}

// decideRoute is the route of the run: asked ("" when -route was left
// out) or, for a droplet that exists, the one it is on, as its host entry
// (written once a route installed NixOS) or its tag (droplets made for
// nixos-infect carry infect.Tag) say. An asked route that its host entry
// contradicts is refused; one that only its tag does is taken (nixos-infect
// may have failed, and nixos-anywhere wipes what it left), and the look
// over SSH refuses it if nixos-infect ran.
func (u *upRun) decideRoute(d *godo.Droplet, asked plan.Route) (plan.Route, error) {
	var have plan.Route
	var why string
	if d != nil {
		have, why = u.routeOf(d)
	}
	switch {
	case asked == "" && have != "":
		fmt.Fprintf(u.e.Err, "droplet %s is on route %s (%s)\n", d.Name, have, why)
		return have, nil
	case asked == "":
		return plan.Anywhere, nil
	case have != "" && have != asked && why != infectTagWhy:
		return "", hints.UpOtherRoute(d.Name, string(have), string(asked), why)
	}
	return asked, nil
}

// infectTagWhy is how routeOf says a droplet is on route infect by its tag.
var infectTagWhy = "its tag " + infect.Tag

// routeOf says which route droplet d is on and how that is known: its host
// entry at d's address, else infect.Tag; "" when neither says.
func (u *upRun) routeOf(d *godo.Droplet) (plan.Route, string) {
	ip, _ := d.PublicIPv4()
	all, _ := hosts.Load(u.e.hostsDir()) // an unreadable folder says nothing here; list and deploy report it
	for _, h := range all {
		if h.Name == d.Name && h.Address == ip {
			return h.Route, "its host entry " + filepath.Join(u.e.hostsDir(), h.Name, hosts.MetaFile)
		}
	}
	if slices.Contains(d.Tags, infect.Tag) {
		return plan.Infect, infectTagWhy
	}
	return "", ""
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
	if v6 := droplets.HasIPv6(*d); o.IPv6 != nil && *o.IPv6 != v6 {
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
// afresh: the context of the run may be what ended. interrupted is when
// the operator's Ctrl-C ended it, zero if it was not.
func (u *upRun) stopped(err error, interrupted time.Time) error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	if !interrupted.IsZero() {
		// mage's compiled main, on a Ctrl-C, cancels the target's context
		// and exits 5 s later whatever the target is doing ("waiting up to
		// 5 seconds for cleanup", mage/template.go at v1.17.2), so the
		// report must be out by then: an unread droplet is said to be so.
		cancel()
		ctx, cancel = context.WithDeadline(context.Background(), interrupted.Add(stopReadLimit))
	}
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
