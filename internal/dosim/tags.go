package dosim

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
)

// tagName is the spec's pattern for a tag name (resources/tags/models/tags.yml).
var tagName = regexp.MustCompile(`^[a-zA-Z0-9_\-:]{1,255}$`)

// tagJSON is the Tag schema (resources/tags/models/tags.yml).
type tagJSON struct {
	Name      string       `json:"name"`
	Resources tagResources `json:"resources"`
}

type tagResources struct {
	Count           int         `json:"count"`
	LastTaggedURI   string      `json:"last_tagged_uri,omitempty"`
	Droplets        tagMetadata `json:"droplets"`
	Images          tagMetadata `json:"images"`
	Volumes         tagMetadata `json:"volumes"`
	VolumeSnapshots tagMetadata `json:"volume_snapshots"`
	Databases       tagMetadata `json:"databases"`
}

type tagMetadata struct {
	Count         int    `json:"count"`
	LastTaggedURI string `json:"last_tagged_uri,omitempty"`
}

// tagExists reports whether name was created, or is on a droplet, which
// creates it as DigitalOcean does; the caller holds s.mu.
func (s *Server) tagExists(name string) bool {
	if s.tags[name] {
		return true
	}
	for _, d := range s.droplets {
		if slices.Contains(d.tags, name) {
			return true
		}
	}
	return false
}

// tagView counts the droplets carrying name; the caller holds s.mu.
func (s *Server) tagView(c *call, name string) tagJSON {
	t := tagJSON{Name: name}
	for _, id := range sortedIDs(s.droplets) {
		if slices.Contains(s.droplets[id].tags, name) {
			t.Resources.Droplets.Count++
			t.Resources.Droplets.LastTaggedURI = c.baseURL() + "/v2/droplets/" + strconv.Itoa(id)
		}
	}
	t.Resources.Count, t.Resources.LastTaggedURI = t.Resources.Droplets.Count, t.Resources.Droplets.LastTaggedURI
	return t
}

// createTag answers 201 with the tag, also when it exists already: creating
// a tag only makes sure it is there.
func (s *Server) createTag(c *call) {
	var req struct {
		Name string `json:"name"`
	}
	if !c.decode(&req) {
		return
	}
	if !tagName.MatchString(req.Name) {
		c.fail(http.StatusBadRequest, msgBadTag)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tags[req.Name] = true
	c.json(http.StatusCreated, map[string]tagJSON{"tag": s.tagView(c, req.Name)})
}

// tagResources adds the tag to droplets that lack it; tagging a droplet
// again changes nothing.
func (s *Server) tagResources(c *call) { s.retag(c, true) }

// untagResources takes the tag off droplets that carry it; the tag itself
// stays, as DigitalOcean keeps it until it is deleted.
func (s *Server) untagResources(c *call) { s.retag(c, false) }

// retag puts the path's tag on the body's droplets, or takes it off. Only
// droplets exist here: other resource types are answered as if done.
func (s *Server) retag(c *call, add bool) {
	var req struct {
		Resources []struct {
			ID   string `json:"resource_id"`
			Type string `json:"resource_type"`
		} `json:"resources"`
	}
	if !c.decode(&req) {
		return
	}
	withFound(s, c, s.pathTag, func(name string) {
		var ds []*droplet
		for _, r := range req.Resources {
			if r.Type != "droplet" {
				continue
			}
			id, err := strconv.Atoi(r.ID)
			d := s.droplets[id]
			if err != nil || d == nil {
				c.fail(http.StatusNotFound, msgNotFound)
				return
			}
			ds = append(ds, d)
		}
		s.tags[name] = true // it outlives the droplets that carry it
		for _, d := range ds {
			has := slices.Contains(d.tags, name)
			switch {
			case add && !has:
				d.tags = append(d.tags, name)
			case !add && has:
				d.tags = slices.DeleteFunc(slices.Clone(d.tags), func(t string) bool { return t == name })
			}
		}
		c.noContent()
	})
}

// pathTag is the tag the {tag} path segment names, if it exists; the caller
// holds s.mu.
func (s *Server) pathTag(c *call) (string, bool) {
	name := c.r.PathValue("tag")
	return name, s.tagExists(name)
}

// Project returns the id of the project a droplet is in.
func (s *Server) Project(dropletID int) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.droplets[dropletID]
	if !ok {
		return "", false
	}
	return d.projectID, true
}
