package dosim

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/digitalocean/godo"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"

	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// TestSizesCatalog checks the catalog's shape; TestSeedSessionReplay
// compares its Basic rows with DigitalOcean's recorded answer.
func TestSizesCatalog(t *testing.T) {
	e := newEnv(t, Options{})
	sizes, resp, err := e.client.Sizes.List(ctx, &godo.ListOptions{PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Links != nil {
		t.Errorf("one page of sizes came with links %+v", resp.Links)
	}
	if resp.Meta == nil || resp.Meta.Total != len(sizes) {
		t.Errorf("meta %+v for %d sizes", resp.Meta, len(sizes))
	}
	var notInSFO3, unavailable bool
	for _, s := range sizes {
		if s.Transfer <= 0 || s.Description == "" || s.Regions == nil || s.Memory%8 != 0 {
			t.Errorf("size %+v lacks realistic fields", s)
		}
		notInSFO3 = notInSFO3 || (s.Available && !slices.Contains(s.Regions, "sfo3"))
		unavailable = unavailable || !s.Available
	}
	if !notInSFO3 || !unavailable {
		t.Errorf("want a size missing from sfo3 (%v) and an unavailable one (%v)", notInSFO3, unavailable)
	}
}

func TestRegions(t *testing.T) {
	e := newEnv(t, Options{})
	regions, _, err := e.client.Regions.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	bySlug := map[string]godo.Region{}
	for _, r := range regions {
		bySlug[r.Slug] = r
	}
	for _, slug := range []string{"sfo3", "nyc1", "nyc3", "ams3", "fra1", "lon1", "sgp1", "tor1", "blr1", "syd1"} {
		r := bySlug[slug]
		if !r.Available || r.Name == "" || !slices.Contains(r.Sizes, "s-1vcpu-1gb") || !slices.Contains(r.Features, "ipv6") {
			t.Errorf("region %s: %+v", slug, r)
		}
	}
	if slices.Contains(bySlug["sfo3"].Sizes, "g-2vcpu-8gb") || !slices.Contains(bySlug["nyc3"].Sizes, "g-2vcpu-8gb") {
		t.Error("g-2vcpu-8gb should be offered in nyc3 but not sfo3")
	}
	if nyc2 := bySlug["nyc2"]; nyc2.Available || len(nyc2.Sizes) != 0 {
		t.Errorf("nyc2 %+v, want closed", nyc2)
	}
}

// newKeyLine makes a new public key and its authorized_keys line, with comment.
func newKeyLine(t *testing.T, comment string) (ssh.PublicKey, string) {
	t.Helper()
	k := sshtest.NewPublicKey(t)
	return k, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))) + " " + comment
}

func TestSSHKeys(t *testing.T) {
	e := newEnv(t, Options{})
	keys, _, err := e.client.Keys.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 {
		t.Fatalf("%d preloaded keys, want 2", len(keys))
	}
	for _, k := range keys {
		pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(k.PublicKey))
		if err != nil {
			t.Errorf("key %s: %v", k.Name, err)
			continue
		}
		if fp := ssh.FingerprintLegacyMD5(pub); fp != k.Fingerprint {
			t.Errorf("key %s: fingerprint %s, want %s", k.Name, k.Fingerprint, fp)
		}
		byID, _, err := e.client.Keys.GetByID(ctx, k.ID)
		if err != nil || byID.Fingerprint != k.Fingerprint {
			t.Errorf("get by id: %+v, %v", byID, err)
		}
		byFP, _, err := e.client.Keys.GetByFingerprint(ctx, k.Fingerprint)
		if err != nil || byFP.ID != k.ID {
			t.Errorf("get by fingerprint: %+v, %v", byFP, err)
		}
	}
	_, _, err = e.client.Keys.GetByID(ctx, 1)
	wantStatus(t, err, http.StatusNotFound, msgNotFound)

	sshPub, line := newKeyLine(t, "deploy@test")
	created, resp, err := e.client.Keys.Create(ctx, &godo.KeyCreateRequest{Name: "deploy", PublicKey: line})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create key: %v, %v", resp, err)
	}
	if created.Fingerprint != ssh.FingerprintLegacyMD5(sshPub) || created.PublicKey != line {
		t.Errorf("created key %+v", created)
	}
	_, _, err = e.client.Keys.Create(ctx, &godo.KeyCreateRequest{Name: "again", PublicKey: line})
	wantStatus(t, err, http.StatusUnprocessableEntity, msgKeyInUse)
	_, _, err = e.client.Keys.Create(ctx, &godo.KeyCreateRequest{Name: "junk", PublicKey: "ssh-ed25519 AAAAB3NzaC1yc2E="})
	wantStatus(t, err, http.StatusUnprocessableEntity, "")
	if _, err := e.client.Keys.DeleteByID(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	if keys, _, _ := e.client.Keys.List(ctx, nil); len(keys) != 2 {
		t.Errorf("%d keys after delete, want 2", len(keys))
	}
	_, err = e.client.Keys.DeleteByID(ctx, created.ID)
	wantStatus(t, err, http.StatusNotFound, msgNotFound)
}

// A test puts its own key on the account without a request, and the API
// lists it as one imported through it.
func TestAddKey(t *testing.T) {
	e := newEnv(t, Options{})
	sshPub, line := newKeyLine(t, "test@here")
	id, err := e.sim.AddKey("test", line)
	if err != nil {
		t.Fatal(err)
	}
	k, _, err := e.client.Keys.GetByID(ctx, id)
	if err != nil || k.Name != "test" || k.PublicKey != line || k.Fingerprint != ssh.FingerprintLegacyMD5(sshPub) {
		t.Errorf("key %d: %+v, %v", id, k, err)
	}
	if _, err := e.sim.AddKey("again", line); err == nil || err.Error() != msgKeyInUse {
		t.Errorf("the same key again: %v, want %q", err, msgKeyInUse)
	}
	if _, err := e.sim.AddKey("junk", "not a key"); err == nil {
		t.Error("a line that is no key was added")
	}
	if n := len(e.sim.Requests()); n != 1 {
		t.Errorf("%d requests, want the one GET", n)
	}

	// Options.SeedKey is the key settings from the seed name.
	seeded := newEnv(t, Options{SeedKey: line})
	k, _, err = seeded.client.Keys.GetByID(ctx, SeedKeyID)
	if err != nil || k.Name != "test@here" || k.PublicKey != line || k.Fingerprint != ssh.FingerprintLegacyMD5(sshPub) {
		t.Errorf("seed key %+v, %v; want the one given", k, err)
	}
}

func TestAccount(t *testing.T) {
	e := newEnv(t, Options{})
	a, _, err := e.client.Account.Get(ctx)
	if err != nil || a.Status != "active" || a.UUID == "" || a.DropletLimit == 0 {
		t.Errorf("account %+v, %v", a, err)
	}
}

func TestProjects(t *testing.T) {
	e := newEnv(t, Options{})
	projects, _, err := e.client.Projects.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(projects) != 2 || projects[0].ID != DefaultProjectID || !projects[0].IsDefault || projects[1].ID != SeedProjectID || projects[1].IsDefault {
		t.Fatalf("projects %+v", projects)
	}
	def, _, err := e.client.Projects.GetDefault(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byID, _, err := e.client.Projects.Get(ctx, DefaultProjectID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(projects[0], *def); diff != "" {
		t.Errorf("default project differs from the listed one:\n%s", diff)
	}
	if diff := cmp.Diff(*def, *byID); diff != "" {
		t.Errorf("project by id differs from default:\n%s", diff)
	}
	_, _, err = e.client.Projects.Get(ctx, "00000000-0000-4000-8000-000000000000")
	wantStatus(t, err, http.StatusNotFound, msgNotFound)

	d, _ := e.createDroplet(t, nil)
	res, _, err := e.client.Projects.AssignResources(ctx, DefaultProjectID, d, "do:droplet:1", "do:domain:example.com")
	if err != nil {
		t.Fatal(err)
	}
	wantRes := []godo.ProjectResource{
		{URN: d.URN(), Links: &godo.ProjectResourceLinks{Self: e.ts.URL + "/v2/droplets/" + itoa(d.ID)}, Status: "ok"},
		{URN: "do:droplet:1", Status: "not_found"},
		{URN: "do:domain:example.com", Status: "not_found"},
	}
	if diff := cmp.Diff(wantRes, res, cmp.FilterPath(func(p cmp.Path) bool {
		return p.Last().String() == ".AssignedAt"
	}, cmp.Ignore())); diff != "" {
		t.Errorf("assigned resources (-want +got):\n%s", diff)
	}
	if res[0].AssignedAt == "" {
		t.Error("assigned droplet has no assigned_at")
	}
	_, _, err = e.client.Projects.AssignResources(ctx, DefaultProjectID, "droplet:1")
	wantStatus(t, err, http.StatusBadRequest, msgBadURN)
	_, _, err = e.client.Projects.AssignResources(ctx, "00000000-0000-4000-8000-000000000000", d)
	wantStatus(t, err, http.StatusNotFound, msgNotFound)
	_, _, err = e.client.Projects.ListResources(ctx, "00000000-0000-4000-8000-000000000000", nil)
	wantStatus(t, err, http.StatusNotFound, msgNotFound)
	listed, _, err := e.client.Projects.ListResources(ctx, "default", nil)
	if err != nil || len(listed) != 1 || listed[0].URN != d.URN() {
		t.Errorf("project resources %+v, %v", listed, err)
	}
}
