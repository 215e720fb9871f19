package images

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/settings"
)

// PricePerGBMonth is what DigitalOcean charges to store a custom image
// (custom images / details / pricing).
const PricePerGBMonth = 0.06

// Row is one image of `mage images`.
type Row struct {
	ID           int       `json:"id"`
	Name         string    `json:"name"`
	Status       string    `json:"status"`
	SizeGB       float64   `json:"size_gigabytes"`
	Created      time.Time `json:"created_at"`
	Regions      []string  `json:"regions"`
	MonthlyCost  float64   `json:"monthly_cost"`
	ErrorMessage string    `json:"error_message,omitempty"`
}

// managed reports whether this repo imported img.
func managed(img godo.Image) bool {
	return slices.Contains(img.Tags, settings.ManagedTag)
}

// List returns the custom images this repo imported, oldest first.
func List(ctx context.Context, c *godo.Client) ([]Row, error) {
	all, err := doapi.ListAll(ctx, c.Images.ListUser)
	if err != nil {
		return nil, fmt.Errorf("list images: %w", doapi.Explain(err))
	}
	rows := []Row{}
	for _, img := range all {
		if managed(img) {
			rows = append(rows, RowOf(img))
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Created.Before(rows[j].Created) })
	return rows, nil
}

// RowOf is img as `mage images` shows it.
func RowOf(img godo.Image) Row {
	r := Row{
		ID: img.ID, Name: img.Name, Status: img.Status, SizeGB: img.SizeGigaBytes, Regions: img.Regions,
		MonthlyCost: img.SizeGigaBytes * PricePerGBMonth, ErrorMessage: strings.TrimSpace(img.ErrorMessage),
	}
	if r.Regions == nil {
		r.Regions = []string{}
	}
	r.Created, _ = time.Parse(time.RFC3339, img.Created)
	return r
}

// WriteList prints rows as a table with totals.
func WriteList(w io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	fmt.Fprintln(tw, "ID\tName\tStatus\tRegions\tSize (GB)\tCreated\tPer Month")
	var gb, monthly float64
	for _, r := range rows {
		status := r.Status
		if r.ErrorMessage != "" {
			status += ": " + r.ErrorMessage
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%0.2f\t%s\t$%0.2f\n", r.ID, r.Name, status, strings.Join(r.Regions, ","), r.SizeGB, r.Created.UTC().Format("2006-01-02 15:04"), r.MonthlyCost)
		gb += r.SizeGB
		monthly += r.MonthlyCost
	}
	fmt.Fprintf(tw, "Total: %d image(s)\t\t\t\t%0.2f\t\t$%0.2f\n", len(rows), gb, monthly)
	return tw.Flush()
}
