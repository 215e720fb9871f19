package dosim

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"github.com/digitalocean/godo/util"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestCreateDropletAnswersAccepted(t *testing.T) {
	e := newEnv(t, Options{BootTime: time.Hour})
	req := basicRequest("web-1.example.com")
	req.Tags = []string{"env:test", "web"}
	req.Monitoring = true
	req.IPv6 = true
	d, resp := e.createDroplet(t, req)

	if resp.StatusCode != http.StatusAccepted {
		t.Errorf("status %d, want 202", resp.StatusCode)
	}
	size, _ := sizeBySlug("s-1vcpu-1gb")
	want := &godo.Droplet{
		Name:     "web-1.example.com",
		Memory:   1024,
		Vcpus:    1,
		Disk:     25,
		Status:   "new",
		SizeSlug: "s-1vcpu-1gb",
		Size: &godo.Size{
			Slug: "s-1vcpu-1gb", Memory: 1024, Vcpus: 1, Disk: 25, Transfer: 1, PriceMonthly: 6, PriceHourly: 0.00893,
			Regions: size.Regions, Available: true, Description: "Basic",
			DiskInfo: []godo.DiskInfo{{Type: "local", Size: &godo.DiskSize{Amount: 25, Unit: "gib"}}},
		},
		Region:    &godo.Region{Slug: "sfo3", Name: "San Francisco 3", Available: true, Features: regionFeatures},
		Features:  []string{"private_networking", "ipv6", "monitoring", "droplet_agent"},
		Tags:      []string{"env:test", "web"},
		VolumeIDs: []string{},
		Networks:  &godo.Networks{},
	}
	opts := cmp.Options{
		cmpopts.EquateEmpty(),
		cmpopts.IgnoreFields(godo.Droplet{}, "ID", "Created", "Image", "VPCUUID"),
		cmpopts.IgnoreFields(godo.Region{}, "Sizes"),
	}
	if diff := cmp.Diff(want, d, opts); diff != "" {
		t.Errorf("created droplet (-want +got):\n%s", diff)
	}
	if d.Image == nil || d.Image.Slug != "debian-12-x64" || d.Image.Distribution != "Debian" || !d.Image.Public {
		t.Errorf("image %+v, want the full debian-12-x64 image", d.Image)
	}
	if _, err := time.Parse(time.RFC3339, d.Created); err != nil {
		t.Errorf("created_at %q: %v", d.Created, err)
	}
	if len(resp.Links.Actions) != 1 {
		t.Fatalf("links.actions = %+v, want one create action", resp.Links.Actions)
	}
	la := resp.Links.Actions[0]
	if la.Rel != "create" || la.HREF != e.ts.URL+"/v2/actions/"+itoa(la.ID) {
		t.Errorf("action link %+v", la)
	}
}

func TestDropletLifecycle(t *testing.T) {
	const boot, network = 80 * time.Second, 20 * time.Second
	e := newEnv(t, Options{BootTime: boot, NetworkDelay: network})
	req := basicRequest("life")
	req.IPv6 = true
	d, resp := e.createDroplet(t, req)
	actionID := resp.Links.Actions[0].ID
	get := func() *godo.Droplet { return e.droplet(t, d.ID) }
	action := func() *godo.Action { return e.action(t, actionID) }

	e.clock.Advance(network - time.Nanosecond)
	if got := get(); got.Status != "new" || len(got.Networks.V4) != 0 {
		t.Errorf("before NetworkDelay: status %q, networks %+v; want new without networks", got.Status, got.Networks)
	}
	e.clock.Advance(time.Nanosecond)
	got := get()
	if got.Status != "new" || len(got.Networks.V4) == 0 {
		t.Errorf("at NetworkDelay: status %q, networks %+v; want new with networks", got.Status, got.Networks)
	}
	pub, _ := got.PublicIPv4()
	priv, _ := got.PrivateIPv4()
	v6, _ := got.PublicIPv6()
	checkAddr(t, "public IPv4", pub, netip.MustParsePrefix("127.64.0.0/10"))
	checkAddr(t, "private IPv4", priv, netip.MustParsePrefix("10.0.0.0/8"))
	checkAddr(t, "IPv6", v6, netip.MustParsePrefix("2001:db8::/32"))
	if pub == "127.0.0.1" {
		t.Error("public IPv4 is 127.0.0.1")
	}

	e.clock.Advance(boot - network - time.Nanosecond)
	if a := action(); get().Status != "new" || a.Status != godo.ActionInProgress || a.CompletedAt != nil {
		t.Errorf("just before BootTime: droplet %q, action %+v; want new, in-progress", get().Status, a)
	}
	e.clock.Advance(time.Nanosecond)
	if got := get(); got.Status != "active" {
		t.Errorf("at BootTime: status %q, want active", got.Status)
	}
	// doctl's --wait polls the create action's href this way.
	if err := util.WaitForActive(ctx, e.client, resp.Links.Actions[0].HREF); err != nil {
		t.Errorf("WaitForActive: %v", err)
	}
	a := action()
	if a.Status != godo.ActionCompleted || a.CompletedAt == nil || !a.CompletedAt.Time.Equal(epoch.Add(boot)) ||
		!a.StartedAt.Time.Equal(epoch) || a.ResourceID != d.ID || a.ResourceType != "droplet" || a.Type != "create" || a.RegionSlug != "sfo3" {
		t.Errorf("completed action %+v", a)
	}
	actions, _, err := e.client.Droplets.Actions(ctx, d.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(actions) != 1 || actions[0].ID != actionID {
		t.Errorf("droplet actions %+v, want just %d", actions, actionID)
	}
	viaDroplet, _, err := e.client.DropletActions.Get(ctx, d.ID, actionID)
	if err != nil || viaDroplet.Status != godo.ActionCompleted {
		t.Errorf("droplet action: %+v, %v", viaDroplet, err)
	}
	all, _, err := e.client.Actions.List(ctx, nil)
	if err != nil || len(all) != 1 {
		t.Errorf("actions list %+v, %v", all, err)
	}
}

func checkAddr(t *testing.T, what, addr string, within netip.Prefix) {
	t.Helper()
	a, err := netip.ParseAddr(addr)
	if err != nil || !within.Contains(a) {
		t.Errorf("%s %q, want an address in %v", what, addr, within)
	}
}

func TestBackups(t *testing.T) {
	e := newEnv(t, Options{})
	req := basicRequest("backed-up")
	req.Backups = true
	d, _ := e.createDroplet(t, req)
	if !slices.Contains(d.Features, "backups") || d.NextBackupWindow == nil || !d.NextBackupWindow.Start.Before(d.NextBackupWindow.End.Time) {
		t.Errorf("features %v, backup window %+v", d.Features, d.NextBackupWindow)
	}
}

func TestDropletActionsOfOthers(t *testing.T) {
	e := newEnv(t, Options{})
	a, resp1 := e.createDroplet(t, basicRequest("a"))
	_, resp2 := e.createDroplet(t, basicRequest("b"))
	_, _, err := e.client.DropletActions.Get(ctx, a.ID, resp2.Links.Actions[0].ID)
	wantStatus(t, err, http.StatusNotFound, msgNotFound)
	_, _, err = e.client.Droplets.Actions(ctx, a.ID+100, nil)
	wantStatus(t, err, http.StatusNotFound, msgNotFound)
	if _, err := e.client.Droplets.Delete(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	// The account's action history outlives the droplet.
	if act, _, err := e.client.Actions.Get(ctx, resp1.Links.Actions[0].ID); err != nil || act.ResourceID != a.ID {
		t.Errorf("action of a deleted droplet: %+v, %v", act, err)
	}
}

func TestNeverActive(t *testing.T) {
	e := newEnv(t, Options{NeverActive: true})
	d, resp := e.createDroplet(t, nil)
	e.clock.Advance(24 * time.Hour)
	got, _, err := e.client.Droplets.Get(ctx, d.ID)
	if err != nil || got.Status != "new" {
		t.Errorf("droplet %+v, %v; want still new", got, err)
	}
	a, _, err := e.client.Actions.Get(ctx, resp.Links.Actions[0].ID)
	if err != nil || a.Status != godo.ActionInProgress || a.CompletedAt != nil {
		t.Errorf("action %+v, %v; want in-progress", a, err)
	}
}

func TestActionsError(t *testing.T) {
	const boot = 10 * time.Second
	e := newEnv(t, Options{ActionsError: true, BootTime: boot})
	d, resp := e.createDroplet(t, nil)
	e.clock.Advance(boot - time.Nanosecond)
	if a, _, err := e.client.Actions.Get(ctx, resp.Links.Actions[0].ID); err != nil || a.Status != godo.ActionInProgress {
		t.Errorf("before BootTime: %+v, %v; want in-progress", a, err)
	}
	e.clock.Advance(time.Nanosecond)
	if a, _, err := e.client.Actions.Get(ctx, resp.Links.Actions[0].ID); err != nil || a.Status != "errored" || a.CompletedAt == nil {
		t.Errorf("at BootTime: %+v, %v; want errored", a, err)
	}
	got, _, err := e.client.Droplets.Get(ctx, d.ID)
	if err != nil || got.Status != "new" {
		t.Errorf("droplet %+v, %v; want never active", got, err)
	}
	if err := util.WaitForActive(ctx, e.client, resp.Links.Actions[0].HREF); err == nil {
		t.Error("WaitForActive succeeded on an errored action")
	}
}

func TestCreateRefusals(t *testing.T) {
	e := newEnv(t, Options{ImportTime: 0})
	custom, _, err := e.client.Images.Create(ctx, &godo.CustomImageCreateRequest{
		Name: "nixos", Url: "https://example.com/nixos.qcow2.bz2", Region: "sfo3", Distribution: "Unknown",
	})
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		edit func(r *godo.DropletCreateRequest)
		msg  string
	}{
		{"underscore in name", func(r *godo.DropletCreateRequest) { r.Name = "web_1" }, msgInvalidName},
		{"empty name", func(r *godo.DropletCreateRequest) { r.Name = "" }, msgInvalidName},
		{"name ends with dot", func(r *godo.DropletCreateRequest) { r.Name = "web." }, msgInvalidName},
		{"long name", func(r *godo.DropletCreateRequest) { r.Name = strings.Repeat("a", 256) }, "Name is too long (maximum is 255 characters)"},
		{"unknown size", func(r *godo.DropletCreateRequest) { r.Size = "s-64vcpu-1tb" }, msgInvalidSize},
		{"size not in region", func(r *godo.DropletCreateRequest) { r.Size = "g-2vcpu-8gb" }, msgSizeNotInRegion},
		{"size not available", func(r *godo.DropletCreateRequest) { r.Size = "so1_5-2vcpu-16gb"; r.Region = "nyc3" }, msgSizeNotInRegion},
		{"unknown image slug", func(r *godo.DropletCreateRequest) { r.Image = godo.DropletCreateImage{Slug: "nixos-25-05-x64"} }, msgInvalidImage},
		{"unknown image id", func(r *godo.DropletCreateRequest) { r.Image = godo.DropletCreateImage{ID: 12345} }, msgInvalidImage},
		{"unknown region", func(r *godo.DropletCreateRequest) { r.Region = "mars1" }, msgInvalidRegion},
		{"closed region", func(r *godo.DropletCreateRequest) { r.Region = "nyc2" }, msgRegionClosed},
		{"user_data too big", func(r *godo.DropletCreateRequest) { r.UserData = strings.Repeat("#", 64<<10+1) }, "user_data must not exceed 64 KiB"},
		{"custom image with ipv6", func(r *godo.DropletCreateRequest) { r.Image = godo.DropletCreateImage{ID: custom.ID}; r.IPv6 = true }, msgIPv6Custom},
		{"custom image elsewhere", func(r *godo.DropletCreateRequest) {
			r.Image = godo.DropletCreateImage{ID: custom.ID}
			r.Region = "fra1"
		}, msgImageNotInRegion},
		{"unknown ssh key", func(r *godo.DropletCreateRequest) {
			r.SSHKeys = []godo.DropletCreateSSHKey{{ID: SeedKeyID}, {Fingerprint: "00:11"}, {ID: 7}}
		}, "00:11, 7 are invalid key identifiers for Droplet creation."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := basicRequest("ok")
			tc.edit(req)
			_, _, err := e.client.Droplets.Create(ctx, req)
			wantStatus(t, err, http.StatusUnprocessableEntity, tc.msg)
			var body apiError
			if err := json.Unmarshal(e.rec.all()[len(e.rec.all())-1].body, &body); err != nil || body.ID != "unprocessable_entity" {
				t.Errorf("error body %+v, %v; want id unprocessable_entity", body, err)
			}
		})
	}
	if n := len(e.sim.Droplets()); n != 0 {
		t.Errorf("%d droplets exist after refused creates", n)
	}

	t.Run("too many names", func(t *testing.T) {
		names := make([]string, 11)
		for i := range names {
			names[i] = "n" + itoa(i)
		}
		_, _, err := e.client.Droplets.CreateMultiple(ctx, &godo.DropletMultiCreateRequest{
			Names: names, Region: "sfo3", Size: "s-1vcpu-1gb", Image: godo.DropletCreateImage{Slug: "debian-12-x64"},
		})
		wantStatus(t, err, http.StatusUnprocessableEntity, "between 1 and 10 names are required")
	})
	t.Run("delete by tag without tag", func(t *testing.T) {
		if resp := e.raw(t, http.MethodDelete, "/v2/droplets", ""); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("status %d, want 422", resp.StatusCode)
		}
	})
	t.Run("malformed body", func(t *testing.T) {
		resp := e.raw(t, http.MethodPost, "/v2/droplets", `{"name":`)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("status %d, want 400", resp.StatusCode)
		}
	})
}

func TestCreateResolvesReferences(t *testing.T) {
	e := newEnv(t, Options{})
	keys, _, err := e.client.Keys.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	image, _, err := e.client.Images.GetBySlug(ctx, "ubuntu-24-04-x64")
	if err != nil {
		t.Fatal(err)
	}
	req := basicRequest("refs")
	req.Image = godo.DropletCreateImage{ID: image.ID}
	req.SSHKeys = []godo.DropletCreateSSHKey{{ID: keys[0].ID}, {Fingerprint: keys[1].Fingerprint}}
	d, _ := e.createDroplet(t, req)
	if d.Image.Slug != "ubuntu-24-04-x64" {
		t.Errorf("image by id resolved to %+v", d.Image)
	}

	// godo sends a nil SSHKeys slice as null; DigitalOcean accepts it, and so
	// does doctl's create without --ssh-keys.
	req = basicRequest("nullkeys")
	req.SSHKeys, req.Tags = nil, nil
	e.createDroplet(t, req)

	req = basicRequest("prefix")
	req.Region = "nyc"
	d, _ = e.createDroplet(t, req)
	if d.Region.Slug != "nyc1" {
		t.Errorf("region prefix nyc resolved to %s, want nyc1", d.Region.Slug)
	}
	req = basicRequest("anywhere")
	req.Region, req.Size = "", "g-2vcpu-8gb"
	d, _ = e.createDroplet(t, req)
	if !strings.HasPrefix(d.Region.Slug, "nyc") {
		t.Errorf("no region resolved to %s, want the first offering g-2vcpu-8gb", d.Region.Slug)
	}
}

func TestCreateMultiple(t *testing.T) {
	e := newEnv(t, Options{})
	ds, resp, err := e.client.Droplets.CreateMultiple(ctx, &godo.DropletMultiCreateRequest{
		Names: []string{"a.example.com", "b.example.com"}, Region: "ams3", Size: "s-2vcpu-4gb",
		Image: godo.DropletCreateImage{Slug: "ubuntu-24-04-x64"}, SSHKeys: []godo.DropletCreateSSHKey{}, Tags: []string{"pair"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusAccepted || len(ds) != 2 || len(resp.Links.Actions) != 2 {
		t.Fatalf("status %d, %d droplets, links %+v", resp.StatusCode, len(ds), resp.Links)
	}
	for i, d := range ds {
		if d.Name != []string{"a.example.com", "b.example.com"}[i] || d.Region.Slug != "ams3" || resp.Links.Actions[i].Rel != "create" {
			t.Errorf("droplet %d: %+v, link %+v", i, d, resp.Links.Actions[i])
		}
	}
	if ds[0].ID == ds[1].ID {
		t.Error("droplets share an id")
	}
}

func TestListDropletsFilters(t *testing.T) {
	e := newEnv(t, Options{})
	for _, c := range []struct {
		name string
		tags []string
	}{{"web-1", []string{"web"}}, {"Web-2", []string{"web", "prod"}}, {"db-1", []string{"prod"}}} {
		req := basicRequest(c.name)
		req.Tags = c.tags
		e.createDroplet(t, req)
	}
	names := func(ds []godo.Droplet) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.Name)
		}
		return out
	}
	all, _, err := e.client.Droplets.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	byTag, _, err := e.client.Droplets.ListByTag(ctx, "prod", nil)
	if err != nil {
		t.Fatal(err)
	}
	byName, _, err := e.client.Droplets.ListByName(ctx, "web-2", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := [][]string{names(all), names(byTag), names(byName)}
	want := [][]string{{"web-1", "Web-2", "db-1"}, {"Web-2", "db-1"}, {"Web-2"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("all, by tag, by name (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(all, e.sim.Droplets()); diff != "" {
		t.Errorf("Droplets() differs from the API (-api +Droplets):\n%s", diff)
	}
	if resp := e.raw(t, http.MethodGet, "/v2/droplets?tag_name=web&name=web-1", ""); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("tag_name with name: status %d, want 422", resp.StatusCode)
	}
}

func TestDeleteDroplet(t *testing.T) {
	e := newEnv(t, Options{})
	d, _ := e.createDroplet(t, nil)
	resp, err := e.client.Droplets.Delete(ctx, d.ID)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v, %v", resp, err)
	}
	_, _, err = e.client.Droplets.Get(ctx, d.ID)
	wantStatus(t, err, http.StatusNotFound, msgNotFound)
	_, err = e.client.Droplets.Delete(ctx, d.ID)
	wantStatus(t, err, http.StatusNotFound, msgNotFound)
	raw := e.raw(t, http.MethodGet, "/v2/droplets/"+itoa(d.ID), "")
	var body apiError
	if err := json.NewDecoder(raw.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	want := apiError{ID: "not_found", Message: msgNotFound, RequestID: raw.Header.Get("X-Request-Id")}
	if diff := cmp.Diff(want, body); diff != "" || body.RequestID == "" {
		t.Errorf("404 body (-want +got):\n%s", diff)
	}

	for _, name := range []string{"t1", "t2", "keep"} {
		req := basicRequest(name)
		if name != "keep" {
			req.Tags = []string{"temp"}
		}
		e.createDroplet(t, req)
	}
	if _, err := e.client.Droplets.DeleteByTag(ctx, "temp"); err != nil {
		t.Fatal(err)
	}
	if left := e.sim.Droplets(); len(left) != 1 || left[0].Name != "keep" {
		t.Errorf("after delete by tag: %+v", left)
	}
}

func TestUserDataIsStored(t *testing.T) {
	e := newEnv(t, Options{})
	req := basicRequest("cloud")
	req.UserData = "#cloud-config\nruncmd:\n  - touch /nixos\n"
	d, _ := e.createDroplet(t, req)
	got, ok := e.sim.UserData(d.ID)
	if !ok || got != req.UserData {
		t.Errorf("UserData = %q, %v; want %q", got, ok, req.UserData)
	}
	if _, ok := e.sim.UserData(d.ID + 1); ok {
		t.Error("UserData found for an unknown droplet")
	}
	var sent struct {
		UserData string `json:"user_data"`
	}
	reqs := e.sim.Requests()
	if err := json.Unmarshal(reqs[len(reqs)-1].Body, &sent); err != nil || sent.UserData != req.UserData {
		t.Errorf("recorded body has user_data %q, %v", sent.UserData, err)
	}
}

func TestCustomImageDroplet(t *testing.T) {
	e := newEnv(t, Options{})
	im, _, err := e.client.Images.Create(ctx, &godo.CustomImageCreateRequest{
		Name: "nixos-25.05", Url: "https://example.com/nixos.qcow2.gz", Region: "tor1", Distribution: "Unknown",
	})
	if err != nil {
		t.Fatal(err)
	}
	req := basicRequest("custom")
	req.Image = godo.DropletCreateImage{ID: im.ID}
	req.Region = ""
	req.SSHKeys = []godo.DropletCreateSSHKey{{ID: SeedKeyID}}
	d, _ := e.createDroplet(t, req)
	if d.Region.Slug != "tor1" || d.Image.Type != "custom" || d.Image.ID != im.ID {
		t.Errorf("droplet from custom image: region %s, image %+v", d.Region.Slug, d.Image)
	}
	got, _, err := e.client.Droplets.Get(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Networks.V4) != 2 || len(got.Networks.V6) != 0 {
		t.Errorf("networks %+v, want IPv4 only", got.Networks)
	}
	if diff := cmp.Diff([]string{"private_networking"}, got.Features); diff != "" {
		t.Errorf("features (-want +got):\n%s", diff)
	}

	slow := newEnv(t, Options{ImportTime: time.Hour})
	pending, _, err := slow.client.Images.Create(ctx, &godo.CustomImageCreateRequest{Name: "nixos", Url: "https://example.com/x.img", Region: "sfo3"})
	if err != nil {
		t.Fatal(err)
	}
	req.Image, req.Region = godo.DropletCreateImage{ID: pending.ID}, "sfo3"
	_, _, err = slow.client.Droplets.Create(ctx, req)
	wantStatus(t, err, http.StatusUnprocessableEntity, msgInvalidImage)
}
