package display

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/images"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

// render prints p as a target would, as JSON or as text.
func render(t *testing.T, p Printable, asJSON bool) string {
	t.Helper()
	var b bytes.Buffer
	if err := Print(&b, asJSON, p); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func text(t *testing.T, p Printable) string   { return render(t, p, false) }
func jsonOf(t *testing.T, p Printable) string { return render(t, p, true) }

var (
	now     = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	droplet = droplets.Droplet{
		ID: 501, Name: "nixos-1", IPv4: "203.0.113.7", Size: "s-1vcpu-2gb", Status: "active",
		Created: now.Add(-3*time.Hour - 7*time.Minute), PriceHourly: 0.01786, PriceMonthly: 12, CostSoFar: 0.07,
	}
)

func TestDropletTable(t *testing.T) {
	want := "" +
		"Name      ID    Public IPv4   Public IPv6   Size          Status   Age     Est. Cost So Far   Per Month   Host\n" +
		"nixos-1   501   203.0.113.7   -             s-1vcpu-2gb   active   3h07m   $0.07              $12.00      no\n"
	if diff := cmp.Diff(want, text(t, Droplet(droplet, now))); diff != "" {
		t.Errorf("one droplet (-want +got):\n%s", diff)
	}
	// The totals line widens the first column, as in doctl's tables.
	web1 := droplet
	web1.Name, web1.Host = "web1", true
	want = "" +
		"Name                  ID    Public IPv4   Public IPv6   Size          Status   Age     Est. Cost So Far   Per Month   Host\n" +
		"nixos-1               501   203.0.113.7   -             s-1vcpu-2gb   active   3h07m   $0.07              $12.00      no\n" +
		"web1                  501   203.0.113.7   -             s-1vcpu-2gb   active   3h07m   $0.07              $12.00      yes\n" +
		"Total: 2 droplet(s)                                                                    $0.14              $24.00\n"
	if diff := cmp.Diff(want, text(t, Droplets([]droplets.Droplet{droplet, web1}, now))); diff != "" {
		t.Errorf("droplet list (-want +got):\n%s", diff)
	}
}

// One droplet prints as an element of the list's JSON: one shape everywhere.
func TestDropletJSONIsOneShape(t *testing.T) {
	var one map[string]any
	var list []map[string]any
	if err := json.Unmarshal([]byte(jsonOf(t, Droplet(droplet, now))), &one); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(jsonOf(t, Droplets([]droplets.Droplet{droplet}, now))), &list); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]map[string]any{one}, list); diff != "" {
		t.Errorf("list element differs from the single droplet (-one +list):\n%s", diff)
	}
	for _, key := range []string{"id", "name", "ipv4", "ipv6", "size", "status", "created_at", "price_hourly", "price_monthly", "cost_so_far", "host"} {
		if _, ok := one[key]; !ok {
			t.Errorf("droplet JSON lacks %q: %v", key, one)
		}
	}
}

func TestEmptyListsAreJSONArrays(t *testing.T) {
	for name, p := range map[string]Printable{
		"droplets": Droplets(nil, now), "images": Images(nil), "sizes": Sizes(nil),
	} {
		if got := jsonOf(t, p); got != "[]\n" {
			t.Errorf("%s: %q, want []", name, got)
		}
	}
}

func TestSizeTable(t *testing.T) {
	s := droplets.Size{Slug: "s-1vcpu-2gb", Description: "Basic", MemoryMB: 2048, VCPUs: 1, DiskGB: 50, PriceMonthly: 12, PriceHourly: 0.01786, Routes: []string{"anywhere", "infect", "image"}}
	want := "" +
		"Slug           Description    Memory    VCPUs    Disk    Price Monthly    Price Hourly    NixOS Routes\n" +
		"s-1vcpu-2gb    Basic          2048      1        50      12.00            0.017860        anywhere,infect,image\n"
	if diff := cmp.Diff(want, text(t, Sizes([]droplets.Size{s}))); diff != "" {
		t.Errorf("sizes (-want +got):\n%s", diff)
	}
}

func TestImageTable(t *testing.T) {
	is := []images.Image{
		{ID: 7, Name: "nixos-a", Status: "available", SizeGB: 1.5, Regions: []string{"sfo3"}, Created: now, MonthlyCost: 0.09},
		{ID: 8, Name: "nixos-b", Status: "NEW", ErrorMessage: "could not fetch", Regions: []string{}, Created: now},
	}
	want := "" +
		"ID                  Name      Status                 Regions   Size (GB)   Created            Per Month\n" +
		"7                   nixos-a   available              sfo3      1.50        2026-03-01 12:00   $0.09\n" +
		"8                   nixos-b   NEW: could not fetch             0.00        2026-03-01 12:00   $0.00\n" +
		"Total: 2 image(s)                                              1.50                           $0.09\n"
	if diff := cmp.Diff(want, text(t, Images(is))); diff != "" {
		t.Errorf("images (-want +got):\n%s", diff)
	}
}

func TestReport(t *testing.T) {
	rep := verify.Report{Subject: "verify 203.0.113.7"}
	rep.Add(verify.Pass("ssh", "203.0.113.7:22 answers after 3s"))
	rep.Add(verify.Fail("nixos", errors.New("ID=debian is not NixOS")))
	rep.Add(verify.Warn("memory", errors.New("980 MB")))
	want := "verify 203.0.113.7:\n" +
		"  ssh:     ok       203.0.113.7:22 answers after 3s\n" +
		"  nixos:   FAILED   ID=debian is not NixOS\n" +
		"  memory:  WARNING  980 MB\n"
	if diff := cmp.Diff(want, text(t, Report(rep))); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	var got struct {
		Subject string
		Checks  []map[string]string
	}
	if err := json.Unmarshal([]byte(jsonOf(t, Report(rep))), &got); err != nil {
		t.Fatal(err)
	}
	if got.Subject != rep.Subject || len(got.Checks) != 3 || got.Checks[1]["status"] != "FAILED" || got.Checks[1]["detail"] != "ID=debian is not NixOS" {
		t.Errorf("report JSON = %+v", got)
	}
}

func TestArtifact(t *testing.T) {
	a := images.Artifact{Path: "images/nixos.qcow2.gz", Size: 3 << 29, SHA256: "ab12"}
	want := "path:   images/nixos.qcow2.gz\nsize:   1.5 GiB (1610612736 bytes)\nsha256: ab12\n"
	if diff := cmp.Diff(want, text(t, Artifact(a))); diff != "" {
		t.Errorf("artifact (-want +got):\n%s", diff)
	}
}

func TestAge(t *testing.T) {
	for d, want := range map[time.Duration]string{
		5 * time.Minute: "5m", 3*time.Hour + 7*time.Minute: "3h07m", 72 * time.Hour: "3d",
	} {
		if got := age(d); got != want {
			t.Errorf("age(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestHumanSize(t *testing.T) {
	for n, want := range map[int64]string{512: "512 B", 2048: "2.0 KiB", 3 << 29: "1.5 GiB"} {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
}
