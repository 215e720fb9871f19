package droplets

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/settings"
)

// MaxUserData is DigitalOcean's limit on a droplet's user data.
const MaxUserData = 64 * 1024

// Spec is what the operator asked for.
type Spec struct {
	Name     string
	Region   string
	Size     string
	Image    string // slug or numeric ID of a custom image
	IPv6     bool
	Project  string
	SSHKeys  []string
	Tags     []string
	UserData string
}

// SpecFrom takes a droplet spec from settings.
func SpecFrom(s settings.Settings) Spec {
	return Spec{
		Name: s.Name, Region: s.Region, Size: s.Size, Image: s.Image, IPv6: s.IPv6,
		Project: s.Project, SSHKeys: s.SSHKeys, Tags: s.AllTags(),
	}
}

// Plan is a Spec checked against the account: everything needed to create
// the droplet and to tell the operator what it costs.
type Plan struct {
	Spec
	Size        godo.Size
	Image       godo.Image
	SSHKeys     []godo.DropletCreateSSHKey
	Keys        []godo.Key // the account keys SSHKeys names: what the droplet's root lets in
	ProjectName string
	// Login is the keys the operator logs in with, which Create checks
	// against Keys before it makes a droplet; the caller fills it in.
	Login Login
}

// CustomImage reports whether the plan boots a custom (uploaded) image.
func (p Plan) CustomImage() bool { return p.Image.Type == "custom" }

// DigitalOcean accepts letters, digits, dots and dashes in droplet names.
var validName = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,253}[a-zA-Z0-9])?$`)

// ValidName reports whether DigitalOcean takes name for a droplet: at most
// 255 letters, digits, dots and dashes, starting and ending with a letter
// or digit.
func ValidName(name string) bool { return validName.MatchString(name) }

// CheckName checks a droplet name as DigitalOcean would, and refuses a name
// of digits only, which Resolve would take for an ID, so that no droplet is
// made that cannot be named afterwards.
func CheckName(name string) error {
	if !ValidName(name) {
		return ErrBadName.Errorf("invalid droplet name %q: use at most 255 letters, digits, dots and dashes, starting and ending with a letter or digit", name)
	}
	if isID(name) {
		return ErrBadName.Errorf("invalid droplet name %q: a name of digits only is taken for a droplet ID; add a letter", name)
	}
	return nil
}

// CheckRef checks a reference to a droplet as Resolve reads it: an ID, or a
// name.
func CheckRef(ref string) error {
	if isID(ref) {
		if id, err := strconv.Atoi(ref); err == nil && id <= 0 {
			return ErrNoSuchDroplet.Errorf("no droplet has ID %d; IDs start at 1", id)
		}
		return nil
	}
	if !ValidName(ref) {
		return ErrNoSuchDroplet.Errorf("%q is not a droplet name or ID", ref)
	}
	return nil
}

// isID reports whether ref is digits only, which Resolve reads as an ID.
func isID(ref string) bool { return ref != "" && strings.Trim(ref, "0123456789") == "" }

// Check validates spec locally and against the API, without changing
// anything, so bad input never leaves a half-made droplet behind.
func Check(ctx context.Context, api API, spec Spec) (Plan, error) {
	p := Plan{Spec: spec}
	if err := CheckName(spec.Name); err != nil {
		return p, err
	}
	if len(spec.UserData) > MaxUserData {
		return p, fmt.Errorf("user data is %d bytes; DigitalOcean allows at most %d", len(spec.UserData), MaxUserData)
	}
	if err := checkRegion(ctx, api, spec.Region); err != nil {
		return p, err
	}
	size, err := checkSize(ctx, api, spec.Size, spec.Region)
	if err != nil {
		return p, err
	}
	p.Size = size
	if p.Image, err = lookupImage(ctx, api, spec.Image); err != nil {
		return p, err
	}
	if len(p.Image.Regions) > 0 && !slices.Contains(p.Image.Regions, spec.Region) {
		return p, ErrImageNotInRegion.Errorf("image %q is not available in %s (only %s)", spec.Image, spec.Region, strings.Join(p.Image.Regions, ", "))
	}
	if p.Image.MinDiskSize > size.Disk {
		return p, ErrImageTooBig.Errorf("image %q needs a %d GB disk but size %s has %d GB", spec.Image, p.Image.MinDiskSize, size.Slug, size.Disk)
	}
	if p.SSHKeys, p.Keys, err = resolveKeys(ctx, api, spec.SSHKeys); err != nil {
		return p, err
	}
	if spec.Project != "" {
		proj, _, err := api.Projects.Get(ctx, spec.Project)
		if doapi.IsNotFound(err) {
			return p, fmt.Errorf("unknown project %q: set DROPLET_PROJECT to an ID from `doctl projects list`, or empty for the default project", spec.Project)
		}
		if err != nil {
			return p, fmt.Errorf("look up project %s: %w", spec.Project, doapi.Explain(err))
		}
		p.ProjectName = proj.Name
	}
	return p, nil
}

func checkRegion(ctx context.Context, api API, region string) error {
	regions, err := doapi.ListAll(ctx, api.Regions.List)
	if err != nil {
		return fmt.Errorf("list regions: %w", doapi.Explain(err))
	}
	var slugs []string
	for _, r := range regions {
		if r.Slug == region {
			if !r.Available {
				return ErrRegionClosed.Errorf("region %q is not taking new droplets now", region)
			}
			return nil
		}
		if r.Available {
			slugs = append(slugs, r.Slug)
		}
	}
	return fmt.Errorf("unknown region %q: use one of %s", region, strings.Join(slugs, ", "))
}

func checkSize(ctx context.Context, api API, slug, region string) (godo.Size, error) {
	sizes, err := doapi.ListAll(ctx, api.Sizes.List)
	if err != nil {
		return godo.Size{}, fmt.Errorf("list sizes: %w", doapi.Explain(err))
	}
	for _, s := range sizes {
		if s.Slug != slug {
			continue
		}
		if !s.Available || !offeredIn(s, region) {
			return s, ErrSizeNotInRegion.Errorf("size %q is not offered in %s", slug, region)
		}
		return s, nil
	}
	return godo.Size{}, ErrUnknownSize.Errorf("unknown size %q", slug)
}

func lookupImage(ctx context.Context, api API, image string) (godo.Image, error) {
	var (
		img *godo.Image
		err error
	)
	if id, convErr := strconv.Atoi(image); convErr == nil {
		img, _, err = api.Images.GetByID(ctx, id)
	} else {
		img, _, err = api.Images.GetBySlug(ctx, image)
	}
	if doapi.IsNotFound(err) {
		return godo.Image{}, ErrUnknownImage.Errorf("unknown image %q", image)
	}
	if err != nil {
		return godo.Image{}, fmt.Errorf("look up image %s: %w", image, doapi.Explain(err))
	}
	if img.Status != "" && img.Status != "available" {
		return *img, ErrImageNotReady.Errorf("image %q is %s, not available", image, img.Status)
	}
	return *img, nil
}

// resolveKeys turns IDs or fingerprints into create-request keys, and the
// account keys they name; no keys means every key on the account, since a
// droplet nobody can log in to is useless for the routes that follow.
func resolveKeys(ctx context.Context, api API, want []string) ([]godo.DropletCreateSSHKey, []godo.Key, error) {
	out := []godo.DropletCreateSSHKey{}
	if len(want) == 0 {
		keys, err := doapi.ListAll(ctx, api.Keys.List)
		if err != nil {
			return nil, nil, fmt.Errorf("list SSH keys: %w", doapi.Explain(err))
		}
		if len(keys) == 0 {
			return nil, nil, fmt.Errorf("the account has no SSH keys: add one with `doctl compute ssh-key import` or set DROPLET_SSH_KEYS")
		}
		for _, k := range keys {
			out = append(out, godo.DropletCreateSSHKey{ID: k.ID})
		}
		return out, keys, nil
	}
	var keys []godo.Key
	for _, w := range want {
		var (
			k   *godo.Key
			err error
		)
		if id, convErr := strconv.Atoi(w); convErr == nil {
			k, _, err = api.Keys.GetByID(ctx, id)
			out = append(out, godo.DropletCreateSSHKey{ID: id})
		} else {
			k, _, err = api.Keys.GetByFingerprint(ctx, w)
			out = append(out, godo.DropletCreateSSHKey{Fingerprint: w})
		}
		if doapi.IsNotFound(err) {
			return nil, nil, fmt.Errorf("unknown SSH key %q: use an ID or fingerprint from `doctl compute ssh-key list` in DROPLET_SSH_KEYS", w)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("look up SSH key %s: %w", w, doapi.Explain(err))
		}
		keys = append(keys, *k)
	}
	return out, keys, nil
}
