package dosim

import (
	"net/http"
	"testing"

	"github.com/digitalocean/godo"
	"github.com/google/go-cmp/cmp"
)

func TestTagCreateAndTagDroplet(t *testing.T) {
	e := newEnv(t, Options{})
	d, _ := e.createDroplet(t, basicRequest("web-1"))

	tag, _, err := e.client.Tags.Create(ctx, &godo.TagCreateRequest{Name: "web"})
	if err != nil || tag.Name != "web" || tag.Resources.Count != 0 {
		t.Fatalf("create tag: %+v, %v", tag, err)
	}
	tagDroplet := &godo.TagResourcesRequest{Resources: []godo.Resource{{ID: itoa(d.ID), Type: godo.DropletResourceType}}}
	for range 2 { // tagging again changes nothing
		if _, err := e.client.Tags.TagResources(ctx, "web", tagDroplet); err != nil {
			t.Fatalf("tag droplet: %v", err)
		}
	}
	if diff := cmp.Diff([]string{"web"}, e.sim.Droplets()[0].Tags); diff != "" {
		t.Errorf("droplet tags (-want +got):\n%s", diff)
	}
	// Creating a tag that exists answers with it.
	tag, _, err = e.client.Tags.Create(ctx, &godo.TagCreateRequest{Name: "web"})
	if err != nil || tag.Resources.Droplets.Count != 1 {
		t.Errorf("create existing tag: %+v, %v", tag, err)
	}
}

func TestTagRefusals(t *testing.T) {
	e := newEnv(t, Options{})
	d, _ := e.createDroplet(t, basicRequest("web-1"))
	_, err := e.client.Tags.TagResources(ctx, "never-made", &godo.TagResourcesRequest{Resources: []godo.Resource{{ID: itoa(d.ID), Type: godo.DropletResourceType}}})
	wantStatus(t, err, http.StatusNotFound, msgNotFound)
	_, _, err = e.client.Tags.Create(ctx, &godo.TagCreateRequest{Name: "no spaces"})
	wantStatus(t, err, http.StatusBadRequest, msgBadTag)
	if _, _, err := e.client.Tags.Create(ctx, &godo.TagCreateRequest{Name: "web"}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.Tags.TagResources(ctx, "web", &godo.TagResourcesRequest{Resources: []godo.Resource{{ID: "1", Type: godo.DropletResourceType}}})
	wantStatus(t, err, http.StatusNotFound, msgNotFound)
}

// A tag given at create exists, as DigitalOcean makes it then.
func TestCreateWithTagMakesTag(t *testing.T) {
	e := newEnv(t, Options{})
	req := basicRequest("web-1")
	req.Tags = []string{"made"}
	e.createDroplet(t, req)
	d, _ := e.createDroplet(t, basicRequest("web-2"))
	if _, err := e.client.Tags.TagResources(ctx, "made", &godo.TagResourcesRequest{Resources: []godo.Resource{{ID: itoa(d.ID), Type: godo.DropletResourceType}}}); err != nil {
		t.Fatal(err)
	}
}

func TestProjectOfDroplet(t *testing.T) {
	e := newEnv(t, Options{})
	d, _ := e.createDroplet(t, basicRequest("web-1"))
	if p, ok := e.sim.Project(d.ID); !ok || p != DefaultProjectID {
		t.Errorf("new droplet in project %q (%t), want the default", p, ok)
	}
	if _, _, err := e.client.Projects.AssignResources(ctx, SeedProjectID, godo.ToURN("Droplet", d.ID)); err != nil {
		t.Fatal(err)
	}
	if p, _ := e.sim.Project(d.ID); p != SeedProjectID {
		t.Errorf("assigned droplet in project %q, want %q", p, SeedProjectID)
	}
	if _, ok := e.sim.Project(1); ok {
		t.Error("a project for a droplet that does not exist")
	}
}

// Untagging takes the tag off the droplet and leaves the tag.
func TestUntagDroplet(t *testing.T) {
	e := newEnv(t, Options{})
	req := basicRequest("web-1")
	req.Tags = []string{"nixos-systems"}
	d, _ := e.createDroplet(t, req)
	const tag = "nixos-up:return-to:s-1vcpu-1gb"
	res := []godo.Resource{{ID: itoa(d.ID), Type: godo.DropletResourceType}}
	if _, _, err := e.client.Tags.Create(ctx, &godo.TagCreateRequest{Name: tag}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.Tags.TagResources(ctx, tag, &godo.TagResourcesRequest{Resources: res}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // untagging again changes nothing
		if _, err := e.client.Tags.UntagResources(ctx, tag, &godo.UntagResourcesRequest{Resources: res}); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]string{"nixos-systems"}, e.sim.Droplets()[0].Tags); diff != "" {
		t.Errorf("droplet tags (-want +got):\n%s", diff)
	}
	// The tag is still there to tag with.
	if _, err := e.client.Tags.TagResources(ctx, tag, &godo.TagResourcesRequest{Resources: res}); err != nil {
		t.Errorf("tag again: %v", err)
	}
	_, err := e.client.Tags.UntagResources(ctx, "never-made", &godo.UntagResourcesRequest{Resources: res})
	wantStatus(t, err, http.StatusNotFound, msgNotFound)
}
