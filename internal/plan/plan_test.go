package plan

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/money"
)

// seedSizes is the seed's `doctl compute size list`, cheapest first, as
// droplets.Sizes returns a region's sizes.
func seedSizes(t *testing.T) []droplets.Size {
	t.Helper()
	const table = `s-1vcpu-512mb-10gb 512 1 10 4.00 0.005950
s-1vcpu-1gb 1024 1 25 6.00 0.008930
s-1vcpu-1gb-amd 1024 1 25 7.00 0.010420
s-1vcpu-1gb-intel 1024 1 25 7.00 0.010420
s-1vcpu-1gb-35gb-intel 1024 1 35 8.00 0.011900
s-1vcpu-2gb 2048 1 50 12.00 0.017860
s-1vcpu-2gb-amd 2048 1 50 14.00 0.020830
s-1vcpu-2gb-intel 2048 1 50 14.00 0.020830
s-1vcpu-2gb-70gb-intel 2048 1 70 16.00 0.023810
s-2vcpu-2gb 2048 2 60 18.00 0.026790
s-2vcpu-4gb 4096 2 80 24.00 0.035710`
	var out []droplets.Size
	for _, line := range strings.Split(table, "\n") {
		var s droplets.Size
		if _, err := fmt.Sscan(line, &s.Slug, &s.MemoryMB, &s.VCPUs, &s.DiskGB, &s.PriceMonthly, &s.PriceHourly); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		out = append(out, s)
	}
	return out
}

func bySlug(t *testing.T, sizes []droplets.Size, slug string) droplets.Size {
	t.Helper()
	for _, s := range sizes {
		if s.Slug == slug {
			return s
		}
	}
	t.Fatalf("no size %s", slug)
	return droplets.Size{}
}

func slugOf(s *droplets.Size) string {
	if s == nil {
		return ""
	}
	return s.Slug
}

func TestCheapest(t *testing.T) {
	sizes := seedSizes(t)
	for route, want := range map[Route][2]string{
		Anywhere: {"s-1vcpu-1gb", "s-1vcpu-2gb"},
		Infect:   {"s-1vcpu-1gb", ""},
	} {
		p, err := Cheapest(route, sizes)
		if err != nil {
			t.Fatalf("%s: %v", route, err)
		}
		if got := [2]string{p.Size.Slug, slugOf(p.Detour)}; got != want {
			t.Errorf("%s: size, detour = %q, want %q", route, got, want)
		}
	}
	if _, err := Cheapest(Anywhere, sizes[:1]); err == nil || err.Error() != "no size offered in the region carries route anywhere" {
		t.Errorf("only 512 MB: %v", err)
	}
}

func TestNew(t *testing.T) {
	sizes := seedSizes(t)
	tests := []struct {
		route      Route
		size       string
		disk       int
		wantDetour string
		wantErr    string
	}{
		{Anywhere, "s-1vcpu-2gb", 0, "", ""},
		{Anywhere, "s-2vcpu-4gb", 0, "", ""},
		{Anywhere, "s-1vcpu-1gb-amd", 0, "s-1vcpu-2gb", ""},
		// A disk grown beyond the 2 GB sizes' 50 GB needs a larger detour:
		// the cheapest that holds it, not the next in memory.
		{Anywhere, "s-1vcpu-1gb-35gb-intel", 55, "s-1vcpu-2gb-70gb-intel", ""},
		{Anywhere, "s-1vcpu-1gb", 90, "", "the region offers no size of at least 2048 MB with a disk of at least 90 GB"},
		{Infect, "s-1vcpu-1gb", 0, "", ""},
		{Anywhere, "s-1vcpu-512mb-10gb", 0, "", "size s-1vcpu-512mb-10gb has 512 MB of memory; route anywhere needs at least 1024 MB"},
		{Infect, "s-1vcpu-512mb-10gb", 0, "", "route infect needs at least 1024 MB"},
	}
	for _, tc := range tests {
		p, err := New(tc.route, bySlug(t, sizes, tc.size), sizes, tc.disk)
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s on %s (disk %d): err = %v, want %q", tc.route, tc.size, tc.disk, err, tc.wantErr)
			}
		case err != nil:
			t.Errorf("%s on %s: %v", tc.route, tc.size, err)
		case slugOf(p.Detour) != tc.wantDetour:
			t.Errorf("%s on %s (disk %d): detour %q, want %q", tc.route, tc.size, tc.disk, slugOf(p.Detour), tc.wantDetour)
		}
	}
}

func TestCost(t *testing.T) {
	sizes := seedSizes(t)
	detour, _ := New(Anywhere, bySlug(t, sizes, "s-1vcpu-1gb"), sizes, 0)
	direct, _ := New(Anywhere, bySlug(t, sizes, "s-1vcpu-2gb"), sizes, 0)
	infect, _ := New(Infect, bySlug(t, sizes, "s-1vcpu-1gb"), sizes, 0)
	// Per second at the dearest size: the seed's s-1vcpu-1gb at $0.008930
	// an hour, the detour's s-1vcpu-2gb at $0.017860.
	tests := []struct {
		p     Plan
		limit time.Duration
		want  Cost
	}{
		{detour, time.Hour, Cost{Seconds: 3600, At: "s-1vcpu-2gb", Total: 0.017860, Detour: 0.017860 - 0.008930}},
		{detour, 90 * time.Minute, Cost{Seconds: 5400, At: "s-1vcpu-2gb", Total: 1.5 * 0.017860, Detour: 1.5 * (0.017860 - 0.008930)}},
		{direct, 10 * time.Minute, Cost{Seconds: 600, At: "s-1vcpu-2gb", Total: 0.017860 / 6}},
		{direct, 0, Cost{At: "s-1vcpu-2gb"}},
		{infect, 45 * time.Minute, Cost{Seconds: 2700, At: "s-1vcpu-1gb", Total: 0.75 * 0.008930}},
	}
	approx := cmp.Comparer(func(a, b money.Dollars) bool { return math.Abs(float64(a-b)) < 1e-9 })
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, tc.p.Cost(tc.limit), approx); diff != "" {
			t.Errorf("%s with detour %q over %s (-want +got):\n%s", tc.p.Size.Slug, slugOf(tc.p.Detour), tc.limit, diff)
		}
	}
}

func TestReturnTag(t *testing.T) {
	for _, slug := range []string{"s-1vcpu-1gb", "so1_5-2vcpu-16gb"} {
		tag, err := ReturnTag(slug)
		if err != nil {
			t.Fatal(err)
		}
		if got := ReturnSize([]string{"nixos", tag, "nixos-systems"}); got != slug {
			t.Errorf("ReturnSize(%s) = %q, want %q", tag, got, slug)
		}
	}
	if got := ReturnSize([]string{"nixos", "nixos-systems"}); got != "" {
		t.Errorf("no tag: %q", got)
	}
	if _, err := ReturnTag("s 1"); err == nil {
		t.Error("a slug with a blank made a tag")
	}
	if _, err := ReturnTag(strings.Repeat("s", 250)); err == nil {
		t.Error("a tag over 255 characters")
	}
}

func TestParseRoute(t *testing.T) {
	for _, r := range []string{"anywhere", "infect"} {
		if got, err := ParseRoute(r); err != nil || string(got) != r {
			t.Errorf("%s: %v %v", r, got, err)
		}
	}
	if _, err := ParseRoute("image"); err == nil || err.Error() != `unknown route "image": use one of anywhere, infect` {
		t.Errorf("image: %v", err)
	}
}
