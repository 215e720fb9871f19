// Package plan decides, for `up`, the size a droplet ends on, whether
// nixos-anywhere needs a temporary detour to a larger size to install, and
// what the install costs. It only computes: the sizes come from the API.
package plan

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/money"
	"github.com/Gleipnir-Technology/nixos-systems/internal/problem"
)

// Route is a way to NixOS that `up` can take: the one a host entry
// records.
type Route = hosts.Route

const (
	Anywhere = hosts.Anywhere // nixos-anywhere: kexec, disko, install; wipes the disk
	Infect   = hosts.Infect   // nixos-infect from the droplet's user data, in place
)

// ErrOtherRoute is a droplet that shows it is on another route than the
// one a run was to take it by; running the same command again changes
// nothing about that.
var ErrOtherRoute = problem.NewKind("droplet on another route")

// Routes lists the routes `up` takes, the default first.
var Routes = []Route{Anywhere, Infect}

// ParseRoute checks a -route value.
func ParseRoute(s string) (Route, error) {
	for _, r := range Routes {
		if s == string(r) {
			return r, nil
		}
	}
	names := make([]string, len(Routes))
	for i, r := range Routes {
		names[i] = string(r)
	}
	return "", fmt.Errorf("unknown route %q: use one of %s", s, strings.Join(names, ", "))
}

// RunMinMB is the least memory a droplet is left on after an install by
// either route: the size nixos-infect needs to build in place. nixos-anywhere
// installs on the detour size, so the size it leaves behind only has to
// run NixOS, and nobody here has run NixOS on less.
const RunMinMB = droplets.InfectMinMB

// Plan is where a droplet ends up and how it gets there.
type Plan struct {
	Route Route
	Size  droplets.Size // the size the droplet runs on afterwards
	// Detour is the size nixos-anywhere installs on when Size has too
	// little memory for its kexec installer; nil when Size carries it.
	Detour *droplets.Size
}

// New plans route onto size, choosing the detour from sizes (the region's,
// cheapest first, as droplets.Sizes lists them). diskGB is the droplet's disk, which a CPU-and-RAM-only
// resize keeps, so the detour must hold it; 0 = size's own disk.
func New(route Route, size droplets.Size, sizes []droplets.Size, diskGB int) (Plan, error) {
	p := Plan{Route: route, Size: size}
	if size.MemoryMB < RunMinMB {
		return p, fmt.Errorf("size %s has %d MB of memory; route %s needs at least %d MB: pick a larger size", size.Slug, size.MemoryMB, route, RunMinMB)
	}
	if route != Anywhere || size.MemoryMB >= droplets.AnywhereMinMB {
		return p, nil
	}
	if diskGB == 0 {
		diskGB = size.DiskGB
	}
	d, ok := detourFor(sizes, diskGB)
	if !ok {
		return p, fmt.Errorf("size %s has %d MB of memory, too little for nixos-anywhere's installer, and the region offers no size of at least %d MB with a disk of at least %d GB to install on: pick a size of at least %d MB", size.Slug, size.MemoryMB, droplets.AnywhereMinMB, diskGB, droplets.AnywhereMinMB)
	}
	p.Detour = &d
	return p, nil
}

// detourFor is the first (cheapest) of sizes with memory enough for
// nixos-anywhere whose disk can take a droplet disk of diskGB as it is.
func detourFor(sizes []droplets.Size, diskGB int) (droplets.Size, bool) {
	for _, s := range sizes {
		if s.MemoryMB >= droplets.AnywhereMinMB && s.DiskGB >= diskGB {
			return s, true
		}
	}
	return droplets.Size{}, false
}

// Cheapest plans route onto the first (cheapest) of sizes that carries it.
func Cheapest(route Route, sizes []droplets.Size) (Plan, error) {
	for _, s := range sizes {
		if p, err := New(route, s, sizes, 0); err == nil {
			return p, nil
		}
	}
	return Plan{}, fmt.Errorf("no size offered in the region carries route %s", route)
}

// Cost is what an install adds to the bill, at most. DigitalOcean bills a
// droplet per second at the price of the size it is on (droplets.Billed),
// and a run spends part of its time on each size it uses: the time the run
// takes, all of it billed at the dearest of them, bounds what it costs.
// The monthly cap and the minimum charge do not come in, as the droplet
// stays afterwards.
type Cost struct {
	Seconds float64       `json:"seconds"` // the time reckoned with: a run's bound before it, its length after
	At      string        `json:"at_size"` // the size whose price bounds it: the dearest the run uses
	Total   money.Dollars `json:"total"`   // Seconds billed at At's price
	Detour  money.Dollars `json:"detour"`  // of Total, what installing on the detour size adds
}

// Cost bounds what an install that takes at most d costs.
func (p Plan) Cost(d time.Duration) Cost { return CostOf(p.Size, p.Detour, d) }

// CostOf bounds what an install onto size that takes at most d costs, by
// way of detour (nil: none).
func CostOf(size droplets.Size, detour *droplets.Size, d time.Duration) Cost {
	base := droplets.Billed(d, size.PriceHourly)
	c := Cost{Seconds: d.Seconds(), At: size.Slug, Total: money.Dollars(base)}
	if detour != nil && detour.PriceHourly > size.PriceHourly {
		c.At = detour.Slug
		c.Total = money.Dollars(droplets.Billed(d, detour.PriceHourly))
		c.Detour = c.Total - money.Dollars(base)
	}
	return c
}

// returnTag prefixes the tag that marks a droplet on a detour size with
// the size it goes back to. A tag is the droplet's own record, visible in
// the control panel and to every machine that runs `up` again.
const returnTag = "nixos-up:return-to:"

// DigitalOcean's tag names: letters, digits, colons, dashes and
// underscores, at most 255 (specification/resources/tags/models/tags.yml).
var tagName = regexp.MustCompile(`^[a-zA-Z0-9_:-]{1,255}$`)

// ReturnTag is the tag recording that a droplet goes back to size slug.
func ReturnTag(slug string) (string, error) {
	tag := returnTag + slug
	if !tagName.MatchString(tag) {
		return "", fmt.Errorf("size slug %q cannot go into a DigitalOcean tag (letters, digits, colons, dashes and underscores only)", slug)
	}
	return tag, nil
}

// ReturnSize reads the size a droplet with tags goes back to; "" when it
// is on no detour.
func ReturnSize(tags []string) string {
	for _, t := range tags {
		if slug, ok := strings.CutPrefix(t, returnTag); ok {
			return slug
		}
	}
	return ""
}
