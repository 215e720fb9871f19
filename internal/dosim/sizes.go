package dosim

import "slices"

// sizeJSON is the Size schema (specification/resources/sizes/models/size.yml).
type sizeJSON struct {
	Slug         string     `json:"slug"`
	Memory       int        `json:"memory"`
	Vcpus        int        `json:"vcpus"`
	Disk         int        `json:"disk"`
	Transfer     float64    `json:"transfer"`
	PriceMonthly float64    `json:"price_monthly"`
	PriceHourly  float64    `json:"price_hourly"`
	Regions      []string   `json:"regions"`
	Available    bool       `json:"available"`
	Description  string     `json:"description"`
	DiskInfo     []diskInfo `json:"disk_info"`
}

type diskInfo struct {
	Type string   `json:"type"`
	Size diskSize `json:"size"`
}

type diskSize struct {
	Amount int    `json:"amount"`
	Unit   string `json:"unit"`
}

// sizes is the catalog GET /v2/sizes answers. The Basic rows are copied from
// a real `doctl compute size list`; a few other classes are added so clients
// meet a size missing from sfo3 (g-2vcpu-8gb) and one not offered at all
// (so1_5-2vcpu-16gb).
var sizes = []sizeJSON{
	basic("s-1vcpu-512mb-10gb", "Basic", 512, 1, 10, 0.5, 4.00, 0.005950),
	basic("s-1vcpu-1gb", "Basic", 1024, 1, 25, 1, 6.00, 0.008930),
	basic("s-1vcpu-1gb-amd", "Basic AMD", 1024, 1, 25, 1, 7.00, 0.010420),
	basic("s-1vcpu-1gb-intel", "Basic Intel", 1024, 1, 25, 1, 7.00, 0.010420),
	basic("s-1vcpu-1gb-35gb-intel", "Basic Intel", 1024, 1, 35, 1, 8.00, 0.011900),
	basic("s-1vcpu-2gb", "Basic", 2048, 1, 50, 2, 12.00, 0.017860),
	basic("s-1vcpu-2gb-amd", "Basic AMD", 2048, 1, 50, 2, 14.00, 0.020830),
	basic("s-1vcpu-2gb-intel", "Basic Intel", 2048, 1, 50, 2, 14.00, 0.020830),
	basic("s-1vcpu-2gb-70gb-intel", "Basic Intel", 2048, 1, 70, 2, 16.00, 0.023810),
	basic("s-2vcpu-2gb", "Basic", 2048, 2, 60, 3, 18.00, 0.026790),
	basic("s-2vcpu-2gb-amd", "Basic AMD", 2048, 2, 60, 3, 21.00, 0.031250),
	basic("s-2vcpu-2gb-intel", "Basic Intel", 2048, 2, 60, 3, 21.00, 0.031250),
	basic("s-2vcpu-2gb-90gb-intel", "Basic Intel", 2048, 2, 90, 3, 24.00, 0.035710),
	basic("s-2vcpu-4gb", "Basic", 4096, 2, 80, 4, 24.00, 0.035710),
	basic("s-2vcpu-4gb-amd", "Basic AMD", 4096, 2, 80, 4, 28.00, 0.041670),
	basic("s-2vcpu-4gb-intel", "Basic Intel", 4096, 2, 80, 4, 28.00, 0.041670),
	basic("s-2vcpu-4gb-120gb-intel", "Basic Intel", 4096, 2, 120, 4, 32.00, 0.047620),
	basic("s-2vcpu-8gb-amd", "Basic AMD", 8192, 2, 100, 5, 42.00, 0.062500),
	basic("s-4vcpu-8gb", "Basic", 8192, 4, 160, 5, 48.00, 0.071430),
	basic("s-4vcpu-8gb-amd", "Basic AMD", 8192, 4, 160, 5, 56.00, 0.083330),
	basic("s-4vcpu-8gb-intel", "Basic Intel", 8192, 4, 160, 5, 56.00, 0.083330),
	basic("c-2", "CPU-Optimized", 4096, 2, 25, 4, 42.00, 0.062500),
	basic("m-2vcpu-16gb", "Memory-Optimized", 16384, 2, 50, 4, 84.00, 0.125000),
	withRegions(basic("g-2vcpu-8gb", "General Purpose", 8192, 2, 25, 4, 63.00, 0.093750),
		"nyc1", "nyc3", "ams3", "fra1", "lon1", "tor1", "blr1", "sgp1"),
	unavailable(basic("so1_5-2vcpu-16gb", "Storage-Optimized", 16384, 2, 450, 4, 131.00, 0.194940)),
}

// openRegions offer every size unless a size says otherwise.
var openRegions = []string{"nyc1", "nyc3", "sfo3", "ams3", "fra1", "lon1", "sgp1", "tor1", "blr1", "syd1"}

func basic(slug, description string, memory, vcpus, disk int, transfer, monthly, hourly float64) sizeJSON {
	return sizeJSON{
		Slug:         slug,
		Memory:       memory,
		Vcpus:        vcpus,
		Disk:         disk,
		Transfer:     transfer,
		PriceMonthly: monthly,
		PriceHourly:  hourly,
		Regions:      openRegions,
		Available:    true,
		Description:  description,
		DiskInfo:     []diskInfo{{Type: "local", Size: diskSize{Amount: disk, Unit: "gib"}}},
	}
}

func withRegions(s sizeJSON, regions ...string) sizeJSON {
	s.Regions = regions
	return s
}

// unavailable marks a size DigitalOcean lists but sells nowhere.
func unavailable(s sizeJSON) sizeJSON {
	s.Available = false
	s.Regions = []string{}
	return s
}

func sizeBySlug(slug string) (sizeJSON, bool) {
	for _, s := range sizes {
		if s.Slug == slug {
			return s, true
		}
	}
	return sizeJSON{}, false
}

func (s sizeJSON) offeredIn(region string) bool {
	return s.Available && slices.Contains(s.Regions, region)
}

func (s *Server) listSizes(c *call) {
	paginate(c, "sizes", sizes)
}
