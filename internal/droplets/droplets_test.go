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

// CostSince follows DigitalOcean's billing since 2026-01-01 (billing.go):
// per second at the hourly price, at least $0.01, and each calendar month
// at most the monthly price.
func TestCostSince(t *testing.T) {
	jan1 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const hourly, monthly = 0.01786, 12.00 // s-1vcpu-2gb
	tests := []struct {
		name            string
		created         time.Time
		elapsed         time.Duration
		hourly, monthly float64
		want            float64
	}{
		{"the minimum: $0.01 is more than 60 seconds", jan1, 30 * time.Second, hourly, monthly, 0.01},
		{"the minimum: 60 seconds is more than $0.01", jan1, 30 * time.Second, 3.6, 2000, 0.06},
		{"per second, not per started hour", jan1, 90 * time.Minute, hourly, monthly, 1.5 * hourly},
		{"a second begun counts", jan1, 90*time.Minute + time.Millisecond, hourly, monthly, 1.5*hourly + hourly/3600},
		{"DigitalOcean's own example: 10 minutes at $84/month", jan1, 10 * time.Minute, 0.125, 84, 0.125 / 6},
		{"under the cap", jan1, 600 * time.Hour, hourly, monthly, 600 * hourly},
		{"January capped: its 744 hours cost more than $12", jan1, 744 * time.Hour, hourly, monthly, monthly},
		// Counted from the creation in blocks of 672 hours, as hourly
		// billing's cap was described, this would be 12 + 96 hours.
		{"the cap is per calendar month", jan1, 768 * time.Hour, hourly, monthly, monthly + 24*hourly},
		{"two months, neither capped", time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC), 21 * 24 * time.Hour, hourly, monthly, 21 * 24 * hourly},
		// 23:00 on 31 January in New York is 04:00 on 1 February in UTC:
		// the next 668 hours are February's in UTC, capped; in New York's
		// months, one of them would be January's.
		{"months are UTC's", time.Date(2026, 1, 31, 23, 0, 0, 0, time.FixedZone("EST", -5*3600)), 668 * time.Hour, hourly, 11.9, 11.9},
	}
	for _, tc := range tests {
		if got := CostSince(tc.created, tc.created.Add(tc.elapsed), tc.hourly, tc.monthly); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: CostSince(%s) = %f, want %f", tc.name, tc.elapsed, got, tc.want)
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
