package droplets

import (
	"testing"

	"github.com/digitalocean/godo"
	"github.com/google/go-cmp/cmp"
)

func TestDifferences(t *testing.T) {
	plan := Plan{Spec: Spec{Region: "sfo3", IPv6: true}, Size: godo.Size{Slug: "s-1vcpu-2gb"},
		Image: godo.Image{ID: 200, Slug: "debian-12-x64", Distribution: "Debian", Name: "12 x64"}}
	custom := plan
	custom.Image, custom.IPv6 = godo.Image{ID: 99, Type: "custom", Name: "nixos"}, false
	droplet := func(change func(d *godo.Droplet)) godo.Droplet {
		d := godo.Droplet{Region: &godo.Region{Slug: "sfo3"}, SizeSlug: "s-1vcpu-2gb", Features: []string{"ipv6"},
			Image: &godo.Image{ID: 200, Slug: "debian-12-x64", Distribution: "Debian", Name: "12 x64"}}
		if change != nil {
			change(&d)
		}
		return d
	}
	tests := []struct {
		name string
		plan Plan
		d    godo.Droplet
		want []Difference
	}{
		{"as planned", plan, droplet(nil), nil},
		{"made from an older build, whose slug moved on", plan, droplet(func(d *godo.Droplet) {
			d.Image = &godo.Image{ID: 150, Distribution: "Debian", Name: "12 x64"}
		}), nil},
		{"IPv6 known only from its address", plan, droplet(func(d *godo.Droplet) {
			d.Features = nil
			d.Networks = &godo.Networks{V6: []godo.NetworkV6{{IPAddress: "2001:db8::5", Type: "public"}}}
		}), nil},
		{"another region", plan, droplet(func(d *godo.Droplet) { d.Region.Slug = "nyc3" }),
			[]Difference{{"region", "nyc3", "sfo3"}}},
		{"another image", plan, droplet(func(d *godo.Droplet) {
			d.Image = &godo.Image{ID: 300, Slug: "ubuntu-24-04-x64", Distribution: "Ubuntu", Name: "24.04 (LTS) x64"}
		}), []Difference{{"image", "ubuntu-24-04-x64", "debian-12-x64"}}},
		{"an older build of another distribution", plan, droplet(func(d *godo.Droplet) {
			d.Image = &godo.Image{ID: 120, Distribution: "Debian", Name: "11 x64"}
		}), []Difference{{"image", "120", "debian-12-x64"}}},
		{"size and IPv6", plan, droplet(func(d *godo.Droplet) { d.SizeSlug, d.Features = "s-1vcpu-1gb", nil }),
			[]Difference{{"size", "s-1vcpu-1gb", "s-1vcpu-2gb"}, {"ipv6", "false", "true"}}},
		{"IPv6 on where the plan has it off", custom, droplet(func(d *godo.Droplet) { d.Image = &godo.Image{ID: 99, Type: "custom"} }),
			[]Difference{{"ipv6", "true", "false"}}},
		{"another custom image", custom, droplet(func(d *godo.Droplet) {
			d.Image, d.Features = &godo.Image{ID: 98, Type: "custom", Name: "nixos"}, nil
		}), []Difference{{"image", "98", "99"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, differences(tc.plan, tc.d)); diff != "" {
				t.Errorf("differences (-want +got):\n%s", diff)
			}
		})
	}
}
