package display

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/Gleipnir-Technology/nixos-systems/internal/images"
)

var imageTable = Table[images.Image]{
	Columns: []Column[images.Image]{
		{"ID", func(i images.Image) string { return strconv.Itoa(i.ID) }},
		{"Name", func(i images.Image) string { return i.Name }},
		{"Status", func(i images.Image) string {
			if i.ErrorMessage != "" {
				return i.Status + ": " + i.ErrorMessage
			}
			return i.Status
		}},
		{"Regions", func(i images.Image) string { return strings.Join(i.Regions, ",") }},
		{"Size (GB)", func(i images.Image) string { return fmt.Sprintf("%0.2f", i.SizeGB) }},
		{"Created", func(i images.Image) string { return i.Created.UTC().Format("2006-01-02 15:04") }},
		{"Per Month", func(i images.Image) string { return fmt.Sprintf("$%0.2f", i.MonthlyCost) }},
	},
	Total: func(is []images.Image) []string {
		var gb, monthly float64
		for _, i := range is {
			gb += i.SizeGB
			monthly += float64(i.MonthlyCost)
		}
		return []string{fmt.Sprintf("Total: %d image(s)", len(is)), "", "", "", fmt.Sprintf("%0.2f", gb), "", fmt.Sprintf("$%0.2f", monthly)}
	},
}

// Images prints custom images with their totals.
func Images(is []images.Image) Printable { return imageTable.List(is) }

// Image prints one custom image.
func Image(i images.Image) Printable { return imageTable.One(i) }

// Artifact prints where a built image file is, how big and its hash.
func Artifact(a images.Artifact) Printable { return artifact(a) }

type artifact images.Artifact

func (a artifact) JSON() any { return images.Artifact(a) }

func (a artifact) Text(w io.Writer) error {
	return writeRows(w, [][]string{
		{"path:", a.Path},
		{"size:", fmt.Sprintf("%s (%d bytes)", humanSize(a.Size), a.Size)},
		{"sha256:", a.SHA256},
	}, 1, "")
}

// humanSize prints a byte count the way ls -h does, in binary units.
func humanSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
