package droplets

import (
	"math"
	"time"
)

// How DigitalOcean bills a droplet: the one model of it, behind list's cost
// so far, up's install cost and the README's cost table.
//
// Since 1 January 2026 DigitalOcean bills droplets per second: every second
// a droplet exists, powered off or not, at its size's hourly price / 3600,
// at least 60 seconds or $0.01, whichever is more, and never more in a
// calendar month than the size's monthly price (the cap of 672 hours, 28
// days, that hourly billing had, remains). Before, it billed every started
// hour. Source: DigitalOcean's announcement "Announcing per-sec billing, new
// Droplet plans, BYOIP, and NAT gateway to reduce scaling costs"
// (https://www.digitalocean.com/blog/dropletplans-persecbilling-byoip-natgateway,
// published 2025-10-02, as read on 2026-07-28), whose example, a 10-minute
// job on an $84/month ($0.125/hour) droplet for "about $0.02", is the hourly
// price / 3600 a second; DigitalOcean's staff answer the same on its
// community site in 2026. Its Droplet pricing documentation as stored here
// (docs.digitalocean.com/products/droplets/details/pricing) still says
// "billed hourly with a minimum charge of one hour": a copy from before.
// The API states prices per hour and per month only (price_hourly,
// price_monthly); nothing in it says how a resize is billed.

// The least DigitalOcean bills for a droplet: 60 seconds or $0.01,
// whichever is more.
const (
	minBilled = 60 * time.Second
	minCharge = 0.01
)

// Billed is what d on a size of hourly price hourly comes to, billed per
// second (a second begun counts), before the monthly cap and the minimum
// charge, which apply to a droplet's whole bill.
func Billed(d time.Duration, hourly float64) float64 {
	return math.Max(math.Ceil(d.Seconds()), 0) * hourly / 3600
}

// CostSince estimates what a droplet made at created has cost by now on one
// size: Billed for each calendar month of its age, each month at most the
// monthly price, and in all at least the minimum charge. The months are
// UTC's, as DigitalOcean states no time zone for its monthly bill.
// Describe gives it the prices of the size the droplet is on now, for its
// whole age: a droplet's actions record when it was resized but not to
// which size, so the time a resized droplet spent on another size (up's
// detour) counts at this one.
func CostSince(created, now time.Time, hourly, monthly float64) float64 {
	var total float64
	for from := created; from.Before(now); {
		y, m, _ := from.UTC().Date()
		to := time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
		if to.After(now) {
			to = now
		}
		total += math.Min(Billed(to.Sub(from), hourly), monthly)
		from = to
	}
	return math.Max(total, math.Max(Billed(minBilled, hourly), minCharge))
}
