package droplets

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
)

// Memory thresholds of the routes to NixOS, in MB. nixos-anywhere's kexec
// image must fit in RAM beside the running system: 1 GB droplets hung at 100%
// CPU for an hour, 2 GB worked (seed README). nixos-infect builds in place with
// a swapfile, so 1 GB is enough.
const (
	AnywhereMinMB = 2048
	InfectMinMB   = 1024
)

// Size is a droplet size offered in a region, with the routes to NixOS it can carry.
type Size struct {
	Slug         string   `json:"slug"`
	Description  string   `json:"description"`
	MemoryMB     int      `json:"memory"`
	VCPUs        int      `json:"vcpus"`
	DiskGB       int      `json:"disk"`
	PriceMonthly float64  `json:"price_monthly"`
	PriceHourly  float64  `json:"price_hourly"`
	Routes       []string `json:"routes"`
}

// Routes names the ways to NixOS a droplet with memoryMB can take.
func Routes(memoryMB int) []string {
	routes := []string{}
	if memoryMB >= AnywhereMinMB {
		routes = append(routes, "anywhere")
	}
	if memoryMB >= InfectMinMB {
		routes = append(routes, "infect")
	}
	return append(routes, "image")
}

// Sizes lists the sizes available in region, cheapest first.
func Sizes(ctx context.Context, api API, region string) ([]Size, error) {
	if err := checkRegion(ctx, api, region); err != nil {
		return nil, err
	}
	all, err := doapi.ListAll(ctx, api.Sizes.List)
	if err != nil {
		return nil, fmt.Errorf("list sizes: %w", doapi.Explain(err))
	}
	out := []Size{}
	for _, s := range all {
		if !s.Available || !offeredIn(s, region) {
			continue
		}
		out = append(out, Size{
			Slug: s.Slug, Description: s.Description, MemoryMB: s.Memory, VCPUs: s.Vcpus, DiskGB: s.Disk,
			PriceMonthly: s.PriceMonthly, PriceHourly: s.PriceHourly, Routes: Routes(s.Memory),
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].PriceMonthly != out[j].PriceMonthly {
			return out[i].PriceMonthly < out[j].PriceMonthly
		}
		return out[i].Slug < out[j].Slug
	})
	return out, nil
}

func offeredIn(s godo.Size, region string) bool {
	return slices.Contains(s.Regions, region)
}
