package dosim

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// imageJSON is the Image schema (specification/resources/images/models/image.yml).
type imageJSON struct {
	ID            int      `json:"id"`
	Name          string   `json:"name"`
	Type          string   `json:"type"`
	Distribution  string   `json:"distribution"`
	Slug          *string  `json:"slug"` // null for custom images
	Public        bool     `json:"public"`
	Regions       []string `json:"regions"`
	CreatedAt     string   `json:"created_at"`
	MinDiskSize   *int     `json:"min_disk_size"`  // null until an import finishes
	SizeGigabytes *float64 `json:"size_gigabytes"` // null until an import finishes
	Description   string   `json:"description"`
	Tags          []string `json:"tags"`
	Status        string   `json:"status"`
	ErrorMessage  string   `json:"error_message"`
}

// namedDistributions are the names in the spec's list of custom image
// distributions (shared/attributes/distribution.yml) that a custom image
// keeps; the list's last entry, "Unknown", is not among them (see
// customDistribution).
var namedDistributions = []string{
	"Arch Linux", "CentOS", "CoreOS", "Debian", "Fedora", "Fedora Atomic", "FreeBSD",
	"Gentoo", "openSUSE", "RancherOS", "Rocky Linux", "Ubuntu",
}

// unknownOS is what DigitalOcean shows as the distribution of a custom image
// whose distribution is none of namedDistributions.
const unknownOS = "Unknown OS"

// customDistribution is the distribution DigitalOcean files a custom image
// under when a client sends requested. The spec says any value outside its
// list is "accepted but ignored, and `Unknown` will be used in its place";
// DigitalOcean's answers say "Unknown OS" instead: the seed's recorded
// session imported with "nixos-25.05" and was answered "Unknown OS", and
// DigitalOcean's Terraform provider (commit 41a5692, 2023) sends and reads
// back "Unknown OS" where it used to send "Unknown". Sending "Unknown" (or
// nothing) is taken to be answered the same way; that one is not recorded.
func customDistribution(requested string) string {
	if slices.Contains(namedDistributions, requested) {
		return requested
	}
	return unknownOS
}

// publicImages are the distribution images droplets can be created from.
var publicImages = []imageJSON{
	distro(129211873, "ubuntu-22-04-x64", "22.04 (LTS) x64", "Ubuntu", "2023-03-20T17:45:22Z", 7, 2.36),
	distro(164580019, "ubuntu-24-04-x64", "24.04 (LTS) x64", "Ubuntu", "2024-10-15T19:43:24Z", 7, 2.85),
	distro(144925431, "debian-12-x64", "12 x64", "Debian", "2023-10-23T14:29:06Z", 7, 1.29),
	distro(196374411, "debian-13-x64", "13 x64", "Debian", "2025-08-12T16:02:51Z", 7, 1.41),
	distro(187521834, "fedora-42-x64", "42 x64", "Fedora", "2025-04-16T18:11:35Z", 7, 1.64),
	distro(159651797, "rockylinux-9-x64", "9 x64", "Rocky Linux", "2024-06-04T21:03:10Z", 10, 1.38),
	distro(158478491, "centos-stream-9-x64", "9 Stream x64", "CentOS", "2024-05-28T15:48:47Z", 10, 1.33),
}

func distro(id int, slug, name, distribution, created string, minDisk int, sizeGB float64) imageJSON {
	return imageJSON{
		ID:            id,
		Name:          name,
		Type:          "base",
		Distribution:  distribution,
		Slug:          &slug,
		Public:        true,
		Regions:       regionSlugs(),
		CreatedAt:     created,
		MinDiskSize:   &minDisk,
		SizeGigabytes: &sizeGB,
		Description:   distribution + " " + name,
		Tags:          []string{},
		Status:        "available",
	}
}

// publicImage finds a public image by slug or id.
func publicImage(ref string) (imageJSON, bool) {
	for _, im := range publicImages {
		if *im.Slug == ref || strconv.Itoa(im.ID) == ref {
			return im, true
		}
	}
	return imageJSON{}, false
}

// customImage is an image imported from a URL; its status is derived from
// created when read.
type customImage struct {
	id           int
	name         string
	distribution string
	description  string
	region       string
	tags         []string
	created      time.Time
}

// What a finished import reports about the imported disk.
const (
	importedMinDisk = 5
	importedSizeGB  = 1.87
)

// imageView renders ci at now: "NEW" for the first half of ImportTime and
// "pending" for the second, then "available" in its one region, or
// "deleted" with ImportError's message when imports fail, which is how
// DigitalOcean reports a failed import.
func (s *Server) imageView(ci *customImage, now time.Time) imageJSON {
	v := imageJSON{
		ID:           ci.id,
		Name:         ci.name,
		Type:         "custom",
		Distribution: ci.distribution,
		Regions:      []string{},
		CreatedAt:    timestamp(ci.created),
		Description:  ci.description,
		Tags:         ci.tags,
		Status:       "NEW",
	}
	elapsed := now.Sub(ci.created)
	switch {
	case elapsed < s.opts.ImportTime/2:
	case elapsed < s.opts.ImportTime:
		v.Status = "pending"
	case s.opts.ImportError != "":
		v.Status, v.ErrorMessage = "deleted", s.opts.ImportError
	default:
		minDisk, size := importedMinDisk, importedSizeGB
		v.Status, v.Regions, v.MinDiskSize, v.SizeGigabytes = "available", []string{ci.region}, &minDisk, &size
	}
	return v
}

// listImages supports the type (distribution or application), private and
// tag_name filters, which combine.
func (s *Server) listImages(c *call) {
	q := c.r.URL.Query()
	typ, private, tag := q.Get("type"), q.Get("private") == "true", q.Get("tag_name")
	var all []imageJSON
	if typ != "application" && !private { // no one-click applications are simulated
		all = append(all, publicImages...)
	}
	if typ == "" {
		s.mu.Lock()
		for _, id := range sortedIDs(s.images) {
			all = append(all, s.imageView(s.images[id], c.now))
		}
		s.mu.Unlock()
	}
	out := []imageJSON{}
	for _, im := range all {
		if tag == "" || slices.Contains(im.Tags, tag) {
			out = append(out, im)
		}
	}
	paginate(c, "images", out)
}

// getImage finds an image by id, or a public one by slug.
func (s *Server) getImage(c *call) {
	ref := c.r.PathValue("image")
	if im, ok := publicImage(ref); ok {
		c.json(http.StatusOK, map[string]imageJSON{"image": im})
		return
	}
	withFound(s, c, s.pathImage, func(ci *customImage) {
		c.json(http.StatusOK, map[string]imageJSON{"image": s.imageView(ci, c.now)})
	})
}

// pathImage finds the custom image the {image} path segment names; the
// caller holds s.mu.
func (s *Server) pathImage(c *call) (*customImage, bool) {
	return byID(s.images, c.r.PathValue("image"))
}

// createImage starts a custom image import (images_create_custom.yml):
// name, url and region are required; any distribution is accepted (see
// customDistribution).
func (s *Server) createImage(c *call) {
	var req struct {
		Name         string   `json:"name"`
		URL          string   `json:"url"`
		Region       string   `json:"region"`
		Distribution string   `json:"distribution"`
		Description  string   `json:"description"`
		Tags         []string `json:"tags"`
	}
	if !c.decode(&req) {
		return
	}
	u, err := url.Parse(req.URL)
	_, regionOK := regionBySlug(req.Region)
	switch {
	case strings.TrimSpace(req.Name) == "":
		c.fail(http.StatusUnprocessableEntity, "Name can't be blank")
		return
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		c.fail(http.StatusUnprocessableEntity, "Url must be an http or https URL")
		return
	case !regionOK:
		c.fail(http.StatusUnprocessableEntity, "Region is invalid")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ci := &customImage{
		id:           s.newID("image"),
		name:         req.Name,
		distribution: customDistribution(req.Distribution),
		description:  req.Description,
		region:       req.Region,
		tags:         append([]string{}, req.Tags...),
		created:      c.now,
	}
	s.images[ci.id] = ci
	v := s.imageView(ci, c.now)
	// The answer always shows the import just queued, as DigitalOcean's does.
	v.Status, v.ErrorMessage, v.Regions, v.MinDiskSize, v.SizeGigabytes = "NEW", "", []string{}, nil, nil
	c.json(http.StatusAccepted, map[string]imageJSON{"image": v})
}

// updateImage renames a custom image or changes its description or
// distribution (images_update.yml); empty fields are left alone, and a
// distribution is filed as on import.
func (s *Server) updateImage(c *call) {
	var req struct {
		Name         string `json:"name"`
		Distribution string `json:"distribution"`
		Description  string `json:"description"`
	}
	if !c.decode(&req) {
		return
	}
	ref := c.r.PathValue("image")
	if _, public := publicImage(ref); public {
		c.fail(http.StatusForbidden, msgForbidden)
		return
	}
	withFound(s, c, s.pathImage, func(ci *customImage) {
		if req.Name != "" {
			ci.name = req.Name
		}
		if req.Distribution != "" {
			ci.distribution = customDistribution(req.Distribution)
		}
		if req.Description != "" {
			ci.description = req.Description
		}
		c.json(http.StatusOK, map[string]imageJSON{"image": s.imageView(ci, c.now)})
	})
}

// deleteImage deletes a custom image; a failed import, already "deleted",
// cannot be deleted again, as DigitalOcean answers.
func (s *Server) deleteImage(c *call) {
	ref := c.r.PathValue("image")
	if _, public := publicImage(ref); public {
		c.fail(http.StatusForbidden, msgForbidden)
		return
	}
	withFound(s, c, s.pathImage, func(ci *customImage) {
		if s.imageView(ci, c.now).Status == "deleted" {
			c.fail(http.StatusUnprocessableEntity, msgImageDeleted)
			return
		}
		delete(s.images, ci.id)
		c.noContent()
	})
}
