package droplets

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
)

// Difference is one way an existing droplet differs from the plan in what
// this tool does not change in place.
type Difference struct {
	Field string // "region", "image", "size" or "ipv6"
	Have  string // the droplet's
	Want  string // the plan's
}

// DiffersError is an existing droplet of this repo that the plan cannot be
// brought to without making it anew. Region and image cannot change; a size
// change needs the droplet powered off and a grown disk cannot shrink again;
// IPv6 cannot be turned off, and turned on it is not configured in the
// running system. So the tool changes none of them, and says so.
type DiffersError struct {
	Name        string
	ID          int
	Differences []Difference
}

func (e *DiffersError) Error() string {
	var ds []string
	for _, d := range e.Differences {
		ds = append(ds, fmt.Sprintf("%s %s (asked: %s)", d.Field, d.Have, d.Want))
	}
	return fmt.Sprintf("droplet %s (id %d) exists with %s", e.Name, e.ID, strings.Join(ds, ", "))
}

// differences lists how d differs from plan in what cannot change in place.
func differences(plan Plan, d godo.Droplet) []Difference {
	var out []Difference
	add := func(field, have, want string) {
		if have != want {
			out = append(out, Difference{Field: field, Have: have, Want: want})
		}
	}
	if d.Region != nil {
		add("region", d.Region.Slug, plan.Region)
	}
	if d.Image != nil && !sameImage(*d.Image, plan.Image) {
		add("image", imageName(*d.Image), imageName(plan.Image))
	}
	if size := cmp.Or(d.SizeSlug, sizeSlug(d.Size)); size != "" {
		add("size", size, plan.Size.Slug)
	}
	add("ipv6", strconv.FormatBool(HasIPv6(d)), strconv.FormatBool(plan.IPv6))
	return out
}

// HasIPv6 reports whether d has IPv6: the ipv6 feature, or a public IPv6
// address, which may show later than the droplet's IPv4 (see WaitReady).
func HasIPv6(d godo.Droplet) bool {
	v6, _ := d.PublicIPv6()
	return v6 != "" || slices.Contains(d.Features, "ipv6")
}

func sizeSlug(s *godo.Size) string {
	if s == nil {
		return ""
	}
	return s.Slug
}

// sameImage reports whether a droplet made from have was made from want.
// DigitalOcean moves a distribution slug such as debian-12-x64 to each new
// build and takes it off the old one, so a droplet made months ago may
// carry an image without a slug: then the distribution and name decide.
func sameImage(have, want godo.Image) bool {
	switch {
	case have.ID == want.ID:
		return true
	case want.Slug == "" || have.Type == "custom":
		return false
	case have.Slug != "":
		return have.Slug == want.Slug
	}
	return have.Distribution == want.Distribution && have.Name == want.Name
}

func imageName(img godo.Image) string {
	if img.Slug != "" {
		return img.Slug
	}
	return strconv.Itoa(img.ID)
}

// converge brings d, this repo's existing droplet named in plan, to what
// plan says in what can change in place: it carries plan's tags (others it
// has are left alone) and is in plan's project (the default one when plan
// names none). What it repaired goes to log. A droplet that differs in
// what cannot change fails with *DiffersError, before anything is changed.
func converge(ctx context.Context, api API, plan Plan, d *godo.Droplet, log io.Writer) error {
	if diffs := differences(plan, *d); len(diffs) > 0 {
		return &DiffersError{Name: d.Name, ID: d.ID, Differences: diffs}
	}
	var repaired []string
	for _, tag := range plan.Tags {
		if slices.Contains(d.Tags, tag) {
			continue
		}
		if err := addTag(ctx, api, d, tag); err != nil {
			return err
		}
		d.Tags = append(d.Tags, tag)
		repaired = append(repaired, "tagged "+tag)
	}
	moved, err := ensureInProject(ctx, api, plan, d)
	if err != nil {
		return err
	}
	if moved {
		repaired = append(repaired, "moved to "+projectName(plan))
	}
	if len(repaired) > 0 {
		fmt.Fprintf(log, "repaired droplet %s (id %d): %s\n", d.Name, d.ID, strings.Join(repaired, "; "))
	}
	return nil
}

// addTag makes sure d carries tag; a failure leaves d unfinished, which
// running again repairs.
func addTag(ctx context.Context, api API, d *godo.Droplet, tag string) error {
	if err := Tag(ctx, api, d.ID, tag); err != nil {
		return &StrandedError{Name: d.Name, ID: d.ID, Unfinished: true,
			Err: fmt.Errorf("droplet %s (id %d) is not tagged %s (%w)", d.Name, d.ID, tag, err)}
	}
	return nil
}

// projectID is the project plan puts droplets in, as the API names it.
func projectID(plan Plan) string { return cmp.Or(plan.Project, "default") }

func projectName(plan Plan) string {
	if plan.Project == "" {
		return "the default project"
	}
	return fmt.Sprintf("project %s (%s)", cmp.Or(plan.ProjectName, plan.Project), plan.Project)
}

// ensureInProject assigns d to plan's project unless it is there already,
// and reports whether it did.
func ensureInProject(ctx context.Context, api API, plan Plan, d *godo.Droplet) (bool, error) {
	in, err := inProject(ctx, api, plan, d)
	if err != nil || in {
		return false, err
	}
	return true, assignProject(ctx, api, plan, d)
}

// inProject reports whether d is in plan's project.
func inProject(ctx context.Context, api API, plan Plan, d *godo.Droplet) (bool, error) {
	urn := godo.ToURN("Droplet", d.ID)
	resources, err := doapi.ListAll(ctx, func(ctx context.Context, opt *godo.ListOptions) ([]godo.ProjectResource, *godo.Response, error) {
		return api.Projects.ListResources(ctx, projectID(plan), opt)
	})
	if err != nil {
		return false, &StrandedError{Name: d.Name, ID: d.ID, Unfinished: true,
			Err: fmt.Errorf("could not check that droplet %s (id %d) is in %s (%w)", d.Name, d.ID, projectName(plan), doapi.Explain(err))}
	}
	return slices.ContainsFunc(resources, func(r godo.ProjectResource) bool { return r.URN == urn }), nil
}

// Converged reports whether d has what Create would repair: the tags of
// spec and a place in its project.
func Converged(ctx context.Context, api API, spec Spec, d *godo.Droplet) (bool, error) {
	for _, tag := range spec.Tags {
		if !slices.Contains(d.Tags, tag) {
			return false, nil
		}
	}
	return inProject(ctx, api, Plan{Spec: spec}, d)
}

// assignProject moves d into plan's project.
func assignProject(ctx context.Context, api API, plan Plan, d *godo.Droplet) error {
	if _, _, err := api.Projects.AssignResources(ctx, projectID(plan), godo.ToURN("Droplet", d.ID)); err != nil {
		return &StrandedError{Name: d.Name, ID: d.ID, Unfinished: true,
			Err: fmt.Errorf("droplet %s (id %d) is not in %s (%w)", d.Name, d.ID, projectName(plan), doapi.Explain(err))}
	}
	return nil
}
