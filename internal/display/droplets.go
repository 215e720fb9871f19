package display

import (
	"fmt"
	"strconv"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
)

// dropletTable is how a droplet prints, wherever it does; now is the time
// its age is counted to.
func dropletTable(now time.Time) Table[droplets.Droplet] {
	money := func(v float64) string { return fmt.Sprintf("$%0.2f", v) }
	return Table[droplets.Droplet]{
		Columns: []Column[droplets.Droplet]{
			{"Name", func(d droplets.Droplet) string { return d.Name }},
			{"ID", func(d droplets.Droplet) string { return strconv.Itoa(d.ID) }},
			{"Public IPv4", func(d droplets.Droplet) string { return dash(d.IPv4) }},
			{"Public IPv6", func(d droplets.Droplet) string { return dash(d.IPv6) }},
			{"Size", func(d droplets.Droplet) string { return d.Size }},
			{"Status", func(d droplets.Droplet) string { return d.Status }},
			{"Age", func(d droplets.Droplet) string { return age(now.Sub(d.Created)) }},
			// An estimate at the size it is on now (droplets.CostSince).
			{"Est. Cost So Far", func(d droplets.Droplet) string { return money(float64(d.CostSoFar)) }},
			{"Per Month", func(d droplets.Droplet) string { return money(d.PriceMonthly) }},
			{"Host", func(d droplets.Droplet) string { return yesNo(d.Host) }},
		},
		Total: func(ds []droplets.Droplet) []string {
			var soFar, monthly float64
			for _, d := range ds {
				soFar += float64(d.CostSoFar)
				monthly += d.PriceMonthly
			}
			return []string{fmt.Sprintf("Total: %d droplet(s)", len(ds)), "", "", "", "", "", "", money(soFar), money(monthly)}
		},
	}
}

// Droplets prints droplets with their totals.
func Droplets(ds []droplets.Droplet, now time.Time) Printable { return dropletTable(now).List(ds) }

// Droplet prints one droplet.
func Droplet(d droplets.Droplet, now time.Time) Printable { return dropletTable(now).One(d) }

func age(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
