package droplets

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRoutes(t *testing.T) {
	tests := map[int][]string{
		512:  {"image"},
		1024: {"infect", "image"},
		2048: {"anywhere", "infect", "image"},
		8192: {"anywhere", "infect", "image"},
	}
	for mb, want := range tests {
		if diff := cmp.Diff(want, Routes(mb)); diff != "" {
			t.Errorf("Routes(%d) (-want +got):\n%s", mb, diff)
		}
	}
}

// CheckRef accepts what Resolve can look up: an ID from 1, or a name
// DigitalOcean would accept.
func TestCheckRef(t *testing.T) {
	good := []string{"web1", "web-1.example.com", "501000001", "007",
		"99999999999999999999"} // beyond an int: Resolve looks it up as a name
	bad := []string{"0", "000", "", "web_1", "-web", "web1-"}
	for _, ref := range good {
		if err := CheckRef(ref); err != nil {
			t.Errorf("CheckRef(%q) = %v, want nil", ref, err)
		}
	}
	for _, ref := range bad {
		if CheckRef(ref) == nil {
			t.Errorf("CheckRef(%q) = nil, want an error", ref)
		}
	}
}

func TestCostSince(t *testing.T) {
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const hourly, monthly = 0.01786, 12.00
	tests := []struct {
		elapsed time.Duration
		want    float64
	}{
		{time.Minute, hourly},                           // a started hour is billed
		{90 * time.Minute, 2 * hourly},                  // so is the second one
		{600 * time.Hour, 600 * hourly},                 // under the monthly cap
		{671*time.Hour + time.Minute, monthly},          // 672 started hours × 0.01786 > 12: capped
		{672*time.Hour + time.Minute, monthly + hourly}, // the next month starts billing anew
	}
	for _, tc := range tests {
		if got := CostSince(created, created.Add(tc.elapsed), hourly, monthly); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("CostSince(%s) = %f, want %f", tc.elapsed, got, tc.want)
		}
	}
}

func TestValidName(t *testing.T) {
	for _, ok := range []string{"web1", "nixos-1", "a", "test2.nidus.cloud", "A-b.C"} {
		if !validName.MatchString(ok) {
			t.Errorf("%q rejected", ok)
		}
	}
	for _, bad := range []string{"", "-web", "web-", "web_1", "web 1", "wéb", ".x"} {
		if validName.MatchString(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}
