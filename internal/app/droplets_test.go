package app

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"github.com/google/go-cmp/cmp"

	"github.com/Gleipnir-Technology/nixos-systems/internal/actions"
	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/plan"
	"github.com/Gleipnir-Technology/nixos-systems/internal/poll"
)

func ptr[T any](v T) *T { return &v }

func TestSizesTable(t *testing.T) {
	te := newTestEnv(t, fastSim)
	if err := Sizes(context.Background(), te.Env, "", false); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(te.Stdout.String()), "\n")
	if got := strings.Fields(lines[0]); !cmp.Equal(got, []string{"Slug", "Description", "Memory", "VCPUs", "Disk", "Price", "Monthly", "Price", "Hourly", "NixOS", "Routes"}) {
		t.Errorf("header = %q", lines[0])
	}
	rows := map[string][]string{}
	var prices []float64
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		rows[f[0]] = f
		p, err := strconv.ParseFloat(f[len(f)-3], 64)
		if err != nil {
			t.Fatalf("monthly price in %q: %v", l, err)
		}
		prices = append(prices, p)
	}
	want := map[string]string{"s-1vcpu-512mb-10gb": "image", "s-1vcpu-1gb": "infect,image", "s-1vcpu-2gb": "anywhere,infect,image"}
	for slug, routes := range want {
		r, ok := rows[slug]
		if !ok {
			t.Fatalf("no row for %s in:\n%s", slug, te.Stdout)
		}
		if r[len(r)-1] != routes {
			t.Errorf("%s routes = %s, want %s", slug, r[len(r)-1], routes)
		}
	}
	if r := rows["s-1vcpu-2gb"]; r[len(r)-3] != "12.00" || r[len(r)-2] != "0.017860" {
		t.Errorf("s-1vcpu-2gb prices = %v, want doctl's 12.00 and 0.017860", r)
	}
	for i := 1; i < len(prices); i++ {
		if prices[i] < prices[i-1] {
			t.Errorf("not cheapest first: %0.2f after %0.2f", prices[i], prices[i-1])
		}
	}
}

func TestSizesOnlyInRegionAndJSON(t *testing.T) {
	te := newTestEnv(t, fastSim)
	all, _, err := te.Client.Sizes.List(context.Background(), &godo.ListOptions{PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	if err := Sizes(context.Background(), te.Env, "sfo3", true); err != nil {
		t.Fatal(err)
	}
	var got []droplets.Size
	if err := json.Unmarshal(te.Stdout.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, te.Stdout)
	}
	listed := map[string]bool{}
	for _, s := range got {
		listed[s.Slug] = true
	}
	excluded := 0
	for _, s := range all {
		inRegion := slices.Contains(s.Regions, "sfo3")
		if want := inRegion && s.Available; listed[s.Slug] != want {
			t.Errorf("%s listed=%t, want %t (available=%t, regions=%v)", s.Slug, listed[s.Slug], want, s.Available, s.Regions)
		}
		if !inRegion || !s.Available {
			excluded++
		}
	}
	if excluded == 0 {
		t.Fatal("the simulator offers every size in sfo3, so the filter is untested")
	}
}

func TestCreateListDestroy(t *testing.T) {
	te := newTestEnv(t, fastSim)
	ctx := context.Background()
	if err := Create(ctx, te.Env, Overrides{}, false); err != nil {
		t.Fatalf("create: %v\nstderr:\n%s", err, te.Stderr)
	}
	ds := te.Sim.Droplets()
	if len(ds) != 1 {
		t.Fatalf("simulator has %d droplets, want 1", len(ds))
	}
	d := ds[0]
	ip, _ := d.PublicIPv4()
	ip6, _ := d.PublicIPv6()
	out := te.Stdout.String()
	for _, want := range []string{d.Name, ip, ip6, "s-1vcpu-2gb", "$12.00", "active"} {
		if !strings.Contains(out, want) {
			t.Errorf("create output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(te.Stderr.String(), "next: mage anywhere host="+ip) {
		t.Errorf("no next command on stderr:\n%s", te.Stderr)
	}
	if diff := cmp.Diff([]string{"nixos", "nixos-systems"}, d.Tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}

	te.Stdout.Reset()
	if err := List(ctx, te.Env, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{d.Name, ip, "$12.00", "Total: 1 droplet(s)"} {
		if !strings.Contains(te.Stdout.String(), want) {
			t.Errorf("list lacks %q:\n%s", want, te.Stdout)
		}
	}

	te.Stdout.Reset()
	if err := Destroy(ctx, te.Env, d.Name, true, false); err != nil {
		t.Fatal(err)
	}
	if n := len(te.Sim.Droplets()); n != 0 {
		t.Errorf("%d droplets left after destroy", n)
	}
	te.Stdout.Reset()
	if err := List(ctx, te.Env, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(te.Stdout.String(), "Total: 0 droplet(s)") {
		t.Errorf("list after destroy:\n%s", te.Stdout)
	}
}

func TestCreateTwiceMakesOne(t *testing.T) {
	te := newTestEnv(t, fastSim)
	for i := 0; i < 2; i++ {
		if err := Create(context.Background(), te.Env, Overrides{}, false); err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
	}
	if n := len(te.Sim.Droplets()); n != 1 {
		t.Errorf("%d droplets after two creates, want 1", n)
	}
	if !strings.Contains(te.Stderr.String(), "already exists") {
		t.Errorf("second create did not say the droplet exists:\n%s", te.Stderr)
	}
}

func TestCreateFlagsOverrideSettings(t *testing.T) {
	te := newTestEnv(t, fastSim)
	o := Overrides{Name: ptr("web1"), Size: ptr("s-2vcpu-4gb"), Region: ptr("nyc3"), Image: ptr("ubuntu-24-04-x64"), IPv6: ptr(false)}
	if err := Create(context.Background(), te.Env, o, true); err != nil {
		t.Fatal(err)
	}
	d := te.Sim.Droplets()[0]
	got := []string{d.Name, d.SizeSlug, d.Region.Slug, d.Image.Slug}
	if diff := cmp.Diff([]string{"web1", "s-2vcpu-4gb", "nyc3", "ubuntu-24-04-x64"}, got); diff != "" {
		t.Errorf("droplet (-want +got):\n%s", diff)
	}
	if ip6, _ := d.PublicIPv6(); ip6 != "" {
		t.Errorf("IPv6 %s with -ipv6=false", ip6)
	}
	var s droplets.Droplet
	if err := json.Unmarshal(te.Stdout.Bytes(), &s); err != nil || s.ID != d.ID {
		t.Errorf("JSON output %q: %v", te.Stdout, err)
	}
}

func TestCreateRejectsBadInputBeforeCreating(t *testing.T) {
	tests := []struct {
		name string
		o    Overrides
		want string
	}{
		{"unknown size", Overrides{Size: ptr("s-9vcpu-1tb")}, `unknown size "s-9vcpu-1tb"`},
		{"size not in region", Overrides{Size: ptr(notInSFO3(t))}, "is not offered in sfo3"},
		{"unknown region", Overrides{Region: ptr("mars1")}, `unknown region "mars1"`},
		{"invalid name", Overrides{Name: ptr("web_1!")}, `invalid droplet name "web_1!"`},
		{"unknown image", Overrides{Image: ptr("debian-99-x64")}, `unknown image "debian-99-x64"`},
		{"unknown custom image", Overrides{Image: ptr("424242")}, `unknown image "424242"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			te := newTestEnv(t, fastSim)
			err := Create(context.Background(), te.Env, tc.o, false)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("not one line: %q", err)
			}
			if n := te.mutations(); n != 0 {
				t.Errorf("%d changing requests sent for bad input", n)
			}
		})
	}
}

// notInSFO3 finds a size the simulator offers elsewhere but not in sfo3.
func notInSFO3(t *testing.T) string {
	te := newTestEnv(t, fastSim)
	sizes, _, err := te.Client.Sizes.List(context.Background(), &godo.ListOptions{PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sizes {
		if s.Available && !cmp.Equal(s.Regions, []string{}) && !slices.Contains(s.Regions, "sfo3") {
			return s.Slug
		}
	}
	t.Fatal("the simulator offers every size in sfo3")
	return ""
}

func TestCreateBadSettingsRejected(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(e *Env)
		want   string
	}{
		{"unknown SSH key", func(e *Env) { e.Settings.SSHKeys = []string{"00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff"} }, `unknown SSH key "00:11`},
		{"unknown project", func(e *Env) { e.Settings.Project = "4e9f3a57-0000-0000-0000-000000000000" }, `unknown project "4e9f3a57`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			te := newTestEnv(t, fastSim)
			tc.mutate(te.Env)
			err := Create(context.Background(), te.Env, Overrides{}, false)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if n := te.mutations(); n != 0 {
				t.Errorf("%d changing requests sent for bad input", n)
			}
		})
	}
}

func TestWrongTokenExplained(t *testing.T) {
	te := newTestEnv(t, fastSim)
	c, err := doapi.New("dop_v1_wrong", doapi.Options{BaseURL: te.URL})
	if err != nil {
		t.Fatal(err)
	}
	te.Client = c
	err = Sizes(context.Background(), te.Env, "", false)
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "refused the token") {
		t.Fatalf("err = %v, want the 401 explained", err)
	}
	if strings.Contains(err.Error(), "dop_v1_wrong") {
		t.Errorf("error shows the token: %v", err)
	}
}

func TestCreateInterruptedLeavesDropletFindable(t *testing.T) {
	opts := fastSim
	opts.NeverActive = true
	te := newTestEnv(t, opts)
	// Interrupted as Ctrl-C would, once the droplet exists and the wait is on.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// The wait is on once it reads the droplet by its ID.
		for !slices.ContainsFunc(te.Sim.Requests(), func(r dosim.Request) bool {
			return r.Method == "GET" && strings.HasPrefix(r.Path, "/v2/droplets/")
		}) {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	err := Create(ctx, te.Env, Overrides{}, false)
	if err == nil || !strings.Contains(err.Error(), "mage destroy") || !strings.Contains(err.Error(), "mage list") {
		t.Fatalf("err = %v, want advice to list and destroy", err)
	}
	te.Stdout.Reset()
	if err := List(context.Background(), te.Env, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(te.Stdout.String(), te.Settings.Name) {
		t.Errorf("interrupted droplet not listed:\n%s", te.Stdout)
	}
	if err := Destroy(context.Background(), te.Env, te.Settings.Name, true, false); err != nil {
		t.Errorf("destroy after interrupt: %v", err)
	}
}

func TestCreateWaitTimesOut(t *testing.T) {
	opts := fastSim
	opts.NeverActive = true
	te := newTestEnv(t, opts)
	err := Create(context.Background(), te.Env, Overrides{Timeout: ptr(300 * time.Millisecond)}, false)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "status new") {
		t.Fatalf("err = %v, want a deadline naming the droplet's status", err)
	}
}

func TestCreateErroredActionStopsTheWait(t *testing.T) {
	opts := fastSim
	opts.ActionsError = true
	te := newTestEnv(t, opts)
	// The droplet never becomes active: only the errored action can end the wait.
	te.Wait.Timeout = time.Hour
	err := Create(context.Background(), te.Env, Overrides{}, false)
	if err == nil || !strings.Contains(err.Error(), "errored") || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the errored action reported", err)
	}
}

func TestCreateLostAnswerIsNotDuplicated(t *testing.T) {
	te := newTestEnv(t, fastSim)
	te.Sim.AddFault(dosim.Fault{Method: "POST", Path: "/v2/droplets", DropAfterHandling: true, Times: 1})
	if err := Create(context.Background(), te.Env, Overrides{}, false); err != nil {
		t.Fatalf("create: %v\n%s", err, te.Stderr)
	}
	if n := len(te.Sim.Droplets()); n != 1 {
		t.Errorf("%d droplets, want 1", n)
	}
	if !strings.Contains(te.Stderr.String(), "only its answer was lost") {
		t.Errorf("stderr does not explain the recovery:\n%s", te.Stderr)
	}
}

func TestDestroyGuards(t *testing.T) {
	te := newTestEnv(t, fastSim)
	ctx := context.Background()
	foreign, _, err := te.Client.Droplets.Create(ctx, &godo.DropletCreateRequest{
		Name: "someone-elses", Region: "sfo3", Size: "s-1vcpu-1gb",
		Image: godo.DropletCreateImage{Slug: "debian-12-x64"}, SSHKeys: []godo.DropletCreateSSHKey{}, Tags: []string{},
	})
	if err != nil {
		t.Fatal(err)
	}
	err = Destroy(ctx, te.Env, "someone-elses", true, false)
	if err == nil || !strings.Contains(err.Error(), "-force") {
		t.Fatalf("err = %v, want a refusal mentioning -force", err)
	}
	te.In = strings.NewReader("n\n")
	if err := Destroy(ctx, te.Env, "someone-elses", false, true); err == nil || !strings.Contains(err.Error(), "pass -yes") {
		t.Fatalf("answering n: err = %v", err)
	}
	if len(te.Sim.Droplets()) != 1 {
		t.Fatal("destroyed without consent")
	}
	te.In = strings.NewReader("y\n")
	if err := Destroy(ctx, te.Env, "someone-elses", false, true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := te.Client.Droplets.Get(ctx, foreign.ID); !doapi.IsNotFound(err) {
		t.Errorf("droplet still there: %v", err)
	}
	if err := Destroy(ctx, te.Env, "no-such-droplet", true, false); err == nil || !strings.Contains(err.Error(), `no droplet named "no-such-droplet"`) {
		t.Errorf("unknown name: %v", err)
	}
}

// A droplet deleted (say, from the control panel) while the wait is on ends
// the wait at once instead of at its timeout.
func TestCreateNoticesDropletDeletedDuringWait(t *testing.T) {
	te := newTestEnv(t, dosim.Options{BootTime: 50 * time.Millisecond, NetworkDelay: 10 * time.Millisecond, SSHDelay: time.Hour})
	go func() {
		for {
			if ds := te.Sim.Droplets(); len(ds) == 1 && ds[0].Status == "active" {
				te.Client.Droplets.Delete(context.Background(), ds[0].ID)
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	// SSH never answers: only noticing the deletion can end the wait.
	te.Wait.Timeout = time.Hour
	err := Create(context.Background(), te.Env, Overrides{}, false)
	if err == nil || !strings.Contains(err.Error(), "was deleted while waiting") || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deletion reported", err)
	}
}

// A custom image lives in the region it was imported to; a droplet elsewhere
// is refused before anything is created.
func TestCreateRejectsImageFromAnotherRegion(t *testing.T) {
	opts := fastSim
	opts.ImportTime = time.Millisecond
	te := newTestEnv(t, opts)
	ctx := context.Background()
	img, _, err := te.Client.Images.Create(ctx, &godo.CustomImageCreateRequest{
		Name: "nixos", Url: "https://example.com/nixos.qcow2.gz", Region: "nyc3", Distribution: "Unknown",
	})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond) // the import completes
	before := te.mutations()
	err = Create(ctx, te.Env, Overrides{Image: ptr(strconv.Itoa(img.ID)), IPv6: ptr(false)}, false)
	if err == nil || !strings.Contains(err.Error(), "is not available in sfo3 (only nyc3)") {
		t.Fatalf("err = %v", err)
	}
	if te.mutations() != before {
		t.Error("a droplet request was sent")
	}
}

// A droplet that a stopped up left on the size it installs on is named on
// stderr, with the command that takes it back, as a host entry gone stale
// is.
func TestListWarnsOfADropletOnItsDetour(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	te := newTestEnv(t, detourSim)
	if err := Create(ctx, te.Env, Overrides{Size: ptr("s-1vcpu-1gb")}, false); err != nil {
		t.Fatal(err)
	}
	id := te.Sim.Droplets()[0].ID
	tag, err := plan.ReturnTag("s-1vcpu-1gb")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := te.Client.Tags.Create(ctx, &godo.TagCreateRequest{Name: tag}); err != nil {
		t.Fatal(err)
	}
	if _, err := te.Client.Tags.TagResources(ctx, tag, &godo.TagResourcesRequest{Resources: []godo.Resource{{ID: strconv.Itoa(id), Type: godo.DropletResourceType}}}); err != nil {
		t.Fatal(err)
	}
	act := actions.Client{Droplets: te.Client.Droplets, Actions: te.Client.DropletActions, Pace: poll.Pace{FirstPoll: 10 * time.Millisecond}}

	// Tagged, but on its own size still: nothing to say.
	if err := List(ctx, te.Env, false); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(te.Stderr.String(), "warning") {
		t.Errorf("warned of a droplet on its own size:\n%s", te.Stderr)
	}

	if err := act.PowerOff(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := act.Resize(ctx, id, "s-1vcpu-2gb"); err != nil {
		t.Fatal(err)
	}
	te.Stdout.Reset()
	if err := List(ctx, te.Env, true); err != nil {
		t.Fatal(err)
	}
	want := "warning: droplet nixos-1 is on s-1vcpu-2gb ($12.00/month) for an install, and goes back to s-1vcpu-1gb (its tag " + tag +
		"): `mage up nixos-1` resizes it back, or `mage destroy nixos-1 -yes` removes it\n"
	if !strings.Contains(te.Stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, te.Stderr)
	}
	if !strings.Contains(te.Stdout.String(), tag) {
		t.Errorf("the JSON lacks the droplet's tags:\n%s", te.Stdout)
	}
}
