package dosim

import (
	"net/http"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestDistributionImages(t *testing.T) {
	e := newEnv(t, Options{})
	images, _, err := e.client.Images.ListDistribution(ctx, &godo.ListOptions{PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	slugs := map[string]godo.Image{}
	for _, im := range images {
		slugs[im.Slug] = im
	}
	for _, slug := range []string{"debian-12-x64", "debian-13-x64", "ubuntu-24-04-x64", "ubuntu-22-04-x64", "fedora-42-x64"} {
		im, ok := slugs[slug]
		if !ok || !im.Public || im.Type != "base" || im.Status != "available" || im.MinDiskSize == 0 || len(im.Regions) == 0 {
			t.Errorf("%s: %+v", slug, im)
		}
		bySlug, _, err := e.client.Images.GetBySlug(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		byID, _, err := e.client.Images.GetByID(ctx, im.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(bySlug, byID); diff != "" {
			t.Errorf("%s by slug and by id differ:\n%s", slug, diff)
		}
	}
	_, _, err = e.client.Images.GetBySlug(ctx, "nixos-25-05-x64")
	wantStatus(t, err, http.StatusNotFound, msgNotFound)
	user, _, err := e.client.Images.ListUser(ctx, nil)
	if err != nil || len(user) != 0 {
		t.Errorf("user images %+v, %v; want none", user, err)
	}
	_, err = e.client.Images.Delete(ctx, slugs["debian-12-x64"].ID)
	wantStatus(t, err, http.StatusForbidden, msgForbidden)
}

func TestImageImport(t *testing.T) {
	const importTime = 20 * time.Minute
	e := newEnv(t, Options{ImportTime: importTime})
	im, resp, err := e.client.Images.Create(ctx, &godo.CustomImageCreateRequest{
		Name: "nixos-25.05", Url: "https://example.com/nixos.qcow2.bz2", Region: "sfo3",
		Distribution: "Unknown", Description: "NixOS 25.05", Tags: []string{"nixos"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := &godo.Image{
		ID: im.ID, Name: "nixos-25.05", Type: "custom", Distribution: unknownOS, Description: "NixOS 25.05",
		Tags: []string{"nixos"}, Status: "NEW", Created: im.Created,
	}
	if diff := cmp.Diff(want, im, cmpopts.EquateEmpty()); diff != "" || resp.StatusCode != http.StatusAccepted {
		t.Errorf("import answered %d (-want +got):\n%s", resp.StatusCode, diff)
	}

	status := func() *godo.Image {
		t.Helper()
		got, _, err := e.client.Images.GetByID(ctx, im.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, step := range []struct {
		by   time.Duration
		want string
	}{
		{importTime/2 - time.Nanosecond, "NEW"},
		{time.Nanosecond, "pending"},
		{importTime/2 - time.Nanosecond, "pending"},
		{time.Nanosecond, "available"},
	} {
		e.clock.Advance(step.by)
		if got := status(); got.Status != step.want {
			t.Errorf("%v after the import: status %q, want %q", e.clock.Now().Sub(epoch), got.Status, step.want)
		}
	}
	got := status()
	if got.SizeGigaBytes <= 0 || got.MinDiskSize <= 0 || !cmp.Equal(got.Regions, []string{"sfo3"}) || got.ErrorMessage != "" {
		t.Errorf("imported image %+v", got)
	}

	for name, list := range map[string]func() ([]godo.Image, *godo.Response, error){
		"user":   func() ([]godo.Image, *godo.Response, error) { return e.client.Images.ListUser(ctx, nil) },
		"by tag": func() ([]godo.Image, *godo.Response, error) { return e.client.Images.ListByTag(ctx, "nixos", nil) },
	} {
		images, _, err := list()
		if err != nil || len(images) != 1 || images[0].ID != im.ID {
			t.Errorf("%s images %+v, %v", name, images, err)
		}
	}
	if all, _, _ := e.client.Images.List(ctx, &godo.ListOptions{PerPage: 200}); len(all) != len(publicImages)+1 {
		t.Errorf("%d images listed, want the %d public ones and the import", len(all), len(publicImages))
	}

	renamed, _, err := e.client.Images.Update(ctx, im.ID, &godo.ImageUpdateRequest{Name: "nixos-stable", Distribution: "Ubuntu"})
	if err != nil || renamed.Name != "nixos-stable" || renamed.Distribution != "Ubuntu" || renamed.Description != "NixOS 25.05" {
		t.Errorf("renamed %+v, %v", renamed, err)
	}
	if _, err := e.client.Images.Delete(ctx, im.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.client.Images.GetByID(ctx, im.ID)
	wantStatus(t, err, http.StatusNotFound, msgNotFound)
}

func TestImageImportFailure(t *testing.T) {
	const failure = "Unable to download the image: the server answered 404"
	e := newEnv(t, Options{ImportError: failure})
	im, _, err := e.client.Images.Create(ctx, &godo.CustomImageCreateRequest{Name: "broken", Url: "https://example.com/missing.img", Region: "ams3"})
	if err != nil {
		t.Fatal(err)
	}
	if im.Status != "NEW" || im.ErrorMessage != "" {
		t.Errorf("import answer %+v, want NEW", im)
	}
	got, _, err := e.client.Images.GetByID(ctx, im.ID)
	if err != nil || got.Status != "deleted" || got.ErrorMessage != failure || len(got.Regions) != 0 || got.Distribution != unknownOS {
		t.Errorf("failed import %+v, %v", got, err)
	}
	_, err = e.client.Images.Delete(ctx, im.ID)
	wantStatus(t, err, http.StatusUnprocessableEntity, msgImageDeleted)
	req := basicRequest("from-broken")
	req.Image, req.Region = godo.DropletCreateImage{ID: im.ID}, "ams3"
	_, _, err = e.client.Droplets.Create(ctx, req)
	wantStatus(t, err, http.StatusUnprocessableEntity, msgInvalidImage)
}

func TestImageImportRefusals(t *testing.T) {
	e := newEnv(t, Options{})
	ok := godo.CustomImageCreateRequest{Name: "nixos", Url: "https://example.com/nixos.img", Region: "sfo3", Distribution: "Unknown"}
	for name, edit := range map[string]func(r *godo.CustomImageCreateRequest){
		"no name":        func(r *godo.CustomImageCreateRequest) { r.Name = "" },
		"no url":         func(r *godo.CustomImageCreateRequest) { r.Url = "" },
		"ftp url":        func(r *godo.CustomImageCreateRequest) { r.Url = "ftp://example.com/x.img" },
		"no region":      func(r *godo.CustomImageCreateRequest) { r.Region = "" },
		"unknown region": func(r *godo.CustomImageCreateRequest) { r.Region = "mars1" },
	} {
		req := ok
		edit(&req)
		_, _, err := e.client.Images.Create(ctx, &req)
		t.Run(name, func(t *testing.T) { wantStatus(t, err, http.StatusUnprocessableEntity, "") })
	}
	if images, _, _ := e.client.Images.ListUser(ctx, nil); len(images) != 0 {
		t.Errorf("refused imports left images %+v", images)
	}
	_, err := e.client.Images.Delete(ctx, 1)
	wantStatus(t, err, http.StatusNotFound, msgNotFound)
	_, _, err = e.client.Images.Update(ctx, 1, &godo.ImageUpdateRequest{Name: "x"})
	wantStatus(t, err, http.StatusNotFound, msgNotFound)
	_, _, err = e.client.Images.Update(ctx, publicImages[0].ID, &godo.ImageUpdateRequest{Name: "mine"})
	wantStatus(t, err, http.StatusForbidden, msgForbidden)
	im, _, err := e.client.Images.Create(ctx, &ok)
	if err != nil {
		t.Fatal(err)
	}
	if im.Distribution != unknownOS {
		t.Errorf("import with distribution Unknown shows %q, want %q", im.Distribution, unknownOS)
	}
}

// TestImageDistributions: DigitalOcean accepts any distribution and shows
// the ones outside its list as "Unknown OS" (see customDistribution).
func TestImageDistributions(t *testing.T) {
	e := newEnv(t, Options{})
	for sent, shown := range map[string]string{
		"nixos-25.05": unknownOS, // the seed's recorded import
		"NixOS":       unknownOS,
		"Unknown":     unknownOS,
		"Unknown OS":  unknownOS,
		"":            unknownOS,
		"Debian":      "Debian",
		"CoreOS":      "CoreOS",
		"debian":      unknownOS, // names are matched exactly
	} {
		im, _, err := e.client.Images.Create(ctx, &godo.CustomImageCreateRequest{
			Name: "d", Url: "https://example.com/d.img", Region: "sfo3", Distribution: sent,
		})
		if err != nil {
			t.Errorf("import with distribution %q: %v", sent, err)
			continue
		}
		got, _, err := e.client.Images.GetByID(ctx, im.ID)
		if err != nil || im.Distribution != shown || got.Distribution != shown {
			t.Errorf("distribution %q: answered %q, read back %q (%v); want %q", sent, im.Distribution, got.Distribution, err, shown)
		}
		updated, _, err := e.client.Images.Update(ctx, im.ID, &godo.ImageUpdateRequest{Distribution: sent})
		if sent != "" && (err != nil || updated.Distribution != shown) {
			t.Errorf("update to distribution %q: %+v, %v; want %q", sent, updated, err, shown)
		}
	}
}
