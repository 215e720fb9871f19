package droplets

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/digitalocean/godo"
)

// Summary is what an operator needs about a new droplet.
type Summary struct {
	ID          int     `json:"id"`
	Name        string  `json:"name"`
	IPv4        string  `json:"ipv4"`
	IPv6        string  `json:"ipv6"`
	Size        string  `json:"size"`
	PriceHourly float64 `json:"price_hourly"`
	Status      string  `json:"status"`
}

// Summarize picks d's addresses and price.
func Summarize(d *godo.Droplet) Summary {
	s := Summary{ID: d.ID, Name: d.Name, Size: d.SizeSlug, Status: d.Status}
	s.IPv4, _ = d.PublicIPv4()
	s.IPv6, _ = d.PublicIPv6()
	if d.Size != nil {
		s.PriceHourly = d.Size.PriceHourly
	}
	return s
}

// WriteDroplet prints d as a one-row table.
func WriteDroplet(w io.Writer, d *godo.Droplet) error {
	s := Summarize(d)
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	fmt.Fprintln(tw, "ID\tName\tPublic IPv4\tPublic IPv6\tSize\tPrice Hourly\tStatus")
	fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%f\t%s\n", s.ID, s.Name, dash(s.IPv4), dash(s.IPv6), s.Size, s.PriceHourly, s.Status)
	return tw.Flush()
}
