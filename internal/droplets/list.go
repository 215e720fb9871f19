package droplets

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/settings"
)

// hoursPerMonth is where DigitalOcean's hourly billing stops and the monthly price applies.
const hoursPerMonth = 672

// Row is one droplet of `mage list`.
type Row struct {
	Name         string    `json:"name"`
	ID           int       `json:"id"`
	IPv4         string    `json:"ipv4"`
	IPv6         string    `json:"ipv6"`
	Size         string    `json:"size"`
	Status       string    `json:"status"`
	Created      time.Time `json:"created_at"`
	CostSoFar    float64   `json:"cost_so_far"`
	PriceMonthly float64   `json:"price_monthly"`
}

// List returns the droplets this repo made, oldest first.
func List(ctx context.Context, c *godo.Client, now time.Time) ([]Row, error) {
	ds, err := doapi.ListAll(ctx, func(ctx context.Context, opt *godo.ListOptions) ([]godo.Droplet, *godo.Response, error) {
		return c.Droplets.ListByTag(ctx, settings.ManagedTag, opt)
	})
	if err != nil {
		return nil, fmt.Errorf("list droplets tagged %s: %w", settings.ManagedTag, doapi.Explain(err))
	}
	rows := make([]Row, 0, len(ds))
	for _, d := range ds {
		rows = append(rows, rowOf(d, now))
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Created.Before(rows[j].Created) })
	return rows, nil
}

func rowOf(d godo.Droplet, now time.Time) Row {
	r := Row{Name: d.Name, ID: d.ID, Size: d.SizeSlug, Status: d.Status}
	r.IPv4, _ = d.PublicIPv4()
	r.IPv6, _ = d.PublicIPv6()
	r.Created, _ = time.Parse(time.RFC3339, d.Created)
	if d.Size != nil {
		r.PriceMonthly = d.Size.PriceMonthly
		r.CostSoFar = CostSince(r.Created, now, d.Size.PriceHourly, d.Size.PriceMonthly)
	}
	return r
}

// CostSince is what a droplet has cost from created to now: every started
// hour at the hourly price, never more than the monthly price per month.
func CostSince(created, now time.Time, hourly, monthly float64) float64 {
	hours := math.Ceil(now.Sub(created).Hours())
	if hours < 1 {
		hours = 1
	}
	months := math.Floor(hours / hoursPerMonth)
	rest := hours - months*hoursPerMonth
	return months*monthly + math.Min(rest*hourly, monthly)
}

// WriteList prints rows as a table with totals.
func WriteList(w io.Writer, rows []Row, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	fmt.Fprintln(tw, "Name\tID\tPublic IPv4\tPublic IPv6\tSize\tStatus\tAge\tCost So Far\tPer Month")
	var soFar, monthly float64
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t$%0.2f\t$%0.2f\n", r.Name, r.ID, dash(r.IPv4), dash(r.IPv6), r.Size, r.Status, age(now.Sub(r.Created)), r.CostSoFar, r.PriceMonthly)
		soFar += r.CostSoFar
		monthly += r.PriceMonthly
	}
	fmt.Fprintf(tw, "Total: %d droplet(s)\t\t\t\t\t\t\t$%0.2f\t$%0.2f\n", len(rows), soFar, monthly)
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func age(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}
