package display

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
)

// sizeTable is `doctl compute size list`'s table plus the routes to NixOS.
var sizeTable = Table[droplets.Size]{
	Padding: 4,
	Columns: []Column[droplets.Size]{
		{"Slug", func(s droplets.Size) string { return s.Slug }},
		{"Description", func(s droplets.Size) string { return s.Description }},
		{"Memory", func(s droplets.Size) string { return strconv.Itoa(s.MemoryMB) }},
		{"VCPUs", func(s droplets.Size) string { return strconv.Itoa(s.VCPUs) }},
		{"Disk", func(s droplets.Size) string { return strconv.Itoa(s.DiskGB) }},
		{"Price Monthly", func(s droplets.Size) string { return fmt.Sprintf("%0.2f", s.PriceMonthly) }},
		{"Price Hourly", func(s droplets.Size) string { return fmt.Sprintf("%f", s.PriceHourly) }},
		{"NixOS Routes", func(s droplets.Size) string { return strings.Join(s.Routes, ",") }},
	},
}

// Sizes prints droplet sizes.
func Sizes(sizes []droplets.Size) Printable { return sizeTable.List(sizes) }
