package droplets

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/money"
	"github.com/Gleipnir-Technology/nixos-systems/internal/settings"
)

// Droplet is what an operator needs to know about a droplet: where it is
// and what it costs. Every target reports a droplet as this one value, so
// its JSON has one shape everywhere.
type Droplet struct {
	ID           int           `json:"id"`
	Name         string        `json:"name"`
	IPv4         string        `json:"ipv4"`
	IPv6         string        `json:"ipv6"`
	Size         string        `json:"size"`
	Status       string        `json:"status"`
	Created      time.Time     `json:"created_at"`
	PriceHourly  float64       `json:"price_hourly"`
	PriceMonthly float64       `json:"price_monthly"`
	CostSoFar    money.Dollars `json:"cost_so_far"` // an estimate at the current size (CostSince), at the time it was described
	Tags         []string      `json:"tags"`
	// Host says whether the repository has a host entry of this name
	// (hosts/<name>/), which makes the droplet a deploy target.
	Host bool `json:"host"`
}

// Describe is d as of now.
func Describe(d godo.Droplet, now time.Time) Droplet {
	r := Droplet{ID: d.ID, Name: d.Name, Size: d.SizeSlug, Status: d.Status, Tags: d.Tags}
	if r.Tags == nil {
		r.Tags = []string{} // [] in JSON, as for a droplet without tags
	}
	r.IPv4, _ = d.PublicIPv4()
	r.IPv6, _ = d.PublicIPv6()
	r.Created, _ = time.Parse(time.RFC3339, d.Created)
	if d.Size != nil {
		r.PriceHourly = d.Size.PriceHourly
		r.PriceMonthly = d.Size.PriceMonthly
		r.CostSoFar = money.Dollars(CostSince(r.Created, now, d.Size.PriceHourly, d.Size.PriceMonthly))
	}
	return r
}

// List returns the droplets this repo made, oldest first, described as of now.
func List(ctx context.Context, api API, now time.Time) ([]Droplet, error) {
	ds, err := doapi.ListAll(ctx, func(ctx context.Context, opt *godo.ListOptions) ([]godo.Droplet, *godo.Response, error) {
		return api.Droplets.ListByTag(ctx, settings.ManagedTag, opt)
	})
	if err != nil {
		return nil, fmt.Errorf("list droplets tagged %s: %w", settings.ManagedTag, doapi.Explain(err))
	}
	out := make([]Droplet, 0, len(ds))
	for _, d := range ds {
		out = append(out, Describe(d, now))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}
