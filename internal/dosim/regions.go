package dosim

import "strings"

// regionJSON is the Region schema (specification/resources/regions/models/region.yml).
type regionJSON struct {
	Name      string   `json:"name"`
	Slug      string   `json:"slug"`
	Features  []string `json:"features"`
	Available bool     `json:"available"`
	Sizes     []string `json:"sizes"`
}

// regionFeatures is what a real sgp1 reports in 2023.
var regionFeatures = []string{"backups", "ipv6", "metadata", "install_agent", "storage", "image_transfer"}

// regions lists every open region plus nyc2, which DigitalOcean closed to new
// droplets, so clients meet "Region is not available".
var regions = buildRegions([]struct{ slug, name string }{
	{"nyc1", "New York 1"},
	{"nyc2", "New York 2"},
	{"nyc3", "New York 3"},
	{"sfo3", "San Francisco 3"},
	{"ams3", "Amsterdam 3"},
	{"fra1", "Frankfurt 1"},
	{"lon1", "London 1"},
	{"sgp1", "Singapore 1"},
	{"tor1", "Toronto 1"},
	{"blr1", "Bangalore 1"},
	{"syd1", "Sydney 1"},
})

// buildRegions derives each region's sizes from the size catalog, so the two
// lists can never disagree; a region no size is offered in is unavailable.
func buildRegions(names []struct{ slug, name string }) []regionJSON {
	out := make([]regionJSON, 0, len(names))
	for _, n := range names {
		r := regionJSON{Name: n.name, Slug: n.slug, Features: regionFeatures, Sizes: []string{}}
		for _, s := range sizes {
			if s.offeredIn(n.slug) {
				r.Sizes = append(r.Sizes, s.Slug)
			}
		}
		r.Available = len(r.Sizes) > 0
		out = append(out, r)
	}
	return out
}

func regionBySlug(slug string) (regionJSON, bool) {
	for _, r := range regions {
		if r.Slug == slug {
			return r, true
		}
	}
	return regionJSON{}, false
}

// pickRegion resolves a droplet's requested region: an exact slug, a prefix
// such as "nyc" (any datacenter there), or "" (anywhere). For a prefix or ""
// it picks the first available region that offers size and satisfies ok.
func pickRegion(requested string, size sizeJSON, ok func(string) bool) (regionJSON, string) {
	if r, found := regionBySlug(requested); found {
		if !r.Available {
			return regionJSON{}, msgRegionClosed
		}
		return r, ""
	}
	matched := false
	for _, r := range regions {
		if !strings.HasPrefix(r.Slug, requested) {
			continue
		}
		matched = true
		if r.Available && size.offeredIn(r.Slug) && ok(r.Slug) {
			return r, ""
		}
	}
	if !matched {
		return regionJSON{}, msgInvalidRegion
	}
	return regionJSON{}, msgSizeNotInRegion
}

func (s *Server) listRegions(c *call) {
	paginate(c, "regions", regions)
}

// regionSlugs lists every region, for public images, which DigitalOcean
// offers everywhere.
func regionSlugs() []string {
	out := make([]string, len(regions))
	for i, r := range regions {
		out[i] = r.Slug
	}
	return out
}
