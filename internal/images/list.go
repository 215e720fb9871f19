package images

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/money"
	"github.com/Gleipnir-Technology/nixos-systems/internal/settings"
)

// PricePerGBMonth is what DigitalOcean charges to store a custom image
// (custom images / details / pricing).
const PricePerGBMonth = 0.06

// Image is what an operator needs to know about a custom image: whether it
// can be used, and what storing it costs. Every target reports an image as
// this one value, so its JSON has one shape everywhere.
type Image struct {
	ID           int           `json:"id"`
	Name         string        `json:"name"`
	Status       string        `json:"status"`
	SizeGB       float64       `json:"size_gigabytes"`
	Created      time.Time     `json:"created_at"`
	Regions      []string      `json:"regions"`
	MonthlyCost  money.Dollars `json:"monthly_cost"`
	ErrorMessage string        `json:"error_message,omitempty"`
}

// managed reports whether this repo imported img.
func managed(img godo.Image) bool {
	return slices.Contains(img.Tags, settings.ManagedTag)
}

// List returns the custom images this repo imported, oldest first.
func List(ctx context.Context, api API) ([]Image, error) {
	all, err := doapi.ListAll(ctx, api.ListUser)
	if err != nil {
		return nil, fmt.Errorf("list images: %w", doapi.Explain(err))
	}
	rows := []Image{}
	for _, img := range all {
		if managed(img) {
			rows = append(rows, Describe(img))
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Created.Before(rows[j].Created) })
	return rows, nil
}

// Describe is img as this tool reports it.
func Describe(img godo.Image) Image {
	r := Image{
		ID: img.ID, Name: img.Name, Status: img.Status, SizeGB: img.SizeGigaBytes, Regions: img.Regions,
		MonthlyCost: money.Dollars(img.SizeGigaBytes * PricePerGBMonth), ErrorMessage: strings.TrimSpace(img.ErrorMessage),
	}
	if r.Regions == nil {
		r.Regions = []string{}
	}
	r.Created, _ = time.Parse(time.RFC3339, img.Created)
	return r
}
