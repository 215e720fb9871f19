package dosim

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// DefaultProjectID is the id of the account's default project, which new
// droplets join unless assigned elsewhere.
const DefaultProjectID = "5b2c4a0e-7d1f-4c8e-9a3b-6f0d2e1c8a47"

// projectJSON is the Project schema (specification/resources/projects/models/project.yml).
type projectJSON struct {
	ID          string `json:"id"`
	OwnerUUID   string `json:"owner_uuid"`
	OwnerID     int    `json:"owner_id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Purpose     string `json:"purpose"`
	Environment string `json:"environment"`
	IsDefault   bool   `json:"is_default"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
}

// resourceJSON is the project Resource schema (specification/resources/projects/models/resource.yml).
type resourceJSON struct {
	URN        string         `json:"urn"`
	AssignedAt string         `json:"assigned_at,omitempty"`
	Links      *resourceLinks `json:"links,omitempty"`
	Status     string         `json:"status"`
}

type resourceLinks struct {
	Self string `json:"self"`
}

const (
	accountUUID = "b6f489dbf6d9156cace5f3c78dc9851d957381ef"
	accountID   = 7754321
)

// SeedProjectID is the project in the seed README's `doctl compute droplet create`.
const SeedProjectID = "ce2159e8-02f5-4169-8943-f34ccf812d23"

// preloadedProjects are the default project and one like the seed's, so the
// committed settings work against the simulator unchanged.
func preloadedProjects() []projectJSON {
	seed := defaultProject()
	seed.ID, seed.Name, seed.IsDefault = SeedProjectID, "nidus", false
	seed.Description, seed.Environment = "NixOS droplets", "Production"
	return []projectJSON{defaultProject(), seed}
}

func defaultProject() projectJSON {
	return projectJSON{
		ID:          DefaultProjectID,
		OwnerUUID:   accountUUID,
		OwnerID:     accountID,
		Name:        "first-project",
		Description: "Update your project information under Settings",
		Purpose:     "Operational / Developer tooling",
		Environment: "Development",
		IsDefault:   true,
		CreatedAt:   "2023-03-14T09:26:53Z",
		UpdatedAt:   "2023-03-14T09:26:53Z",
	}
}

// urnPattern is the spec's URN pattern (shared/attributes/urn.yml).
var urnPattern = regexp.MustCompile(`^do:(dbaas|domain|droplet|floatingip|loadbalancer|space|volume|kubernetes|vpc):.+`)

// findProject resolves a project id or "default"; the caller holds s.mu.
func (s *Server) findProject(id string) (projectJSON, bool) {
	for _, p := range s.projects {
		if p.ID == id || (id == "default" && p.IsDefault) {
			return p, true
		}
	}
	return projectJSON{}, false
}

func (s *Server) listProjects(c *call) {
	s.mu.Lock()
	projects := append([]projectJSON(nil), s.projects...)
	s.mu.Unlock()
	paginate(c, "projects", projects)
}

// pathProject finds the project the {project} path segment names; the
// caller holds s.mu.
func (s *Server) pathProject(c *call) (projectJSON, bool) {
	return s.findProject(c.r.PathValue("project"))
}

func (s *Server) getProject(c *call) {
	withFound(s, c, s.pathProject, func(p projectJSON) {
		c.json(http.StatusOK, map[string]projectJSON{"project": p})
	})
}

func (s *Server) listProjectResources(c *call) {
	withFound(s, c, s.pathProject, func(p projectJSON) {
		var out []resourceJSON
		for _, id := range sortedIDs(s.droplets) {
			if d := s.droplets[id]; d.projectID == p.ID {
				out = append(out, d.resource(c))
			}
		}
		paginate(c, "resources", out)
	})
}

// assignProjectResources moves droplets into the project. A well-formed URN
// naming nothing the simulator knows comes back with status "not_found", one
// of the per-resource statuses the spec lists; a malformed one fails the
// whole request as DigitalOcean does.
func (s *Server) assignProjectResources(c *call) {
	var req struct {
		Resources []string `json:"resources"`
	}
	if !c.decode(&req) {
		return
	}
	for _, urn := range req.Resources {
		if !urnPattern.MatchString(urn) {
			c.fail(http.StatusBadRequest, msgBadURN)
			return
		}
	}
	withFound(s, c, s.pathProject, func(p projectJSON) {
		out := make([]resourceJSON, 0, len(req.Resources))
		for _, urn := range req.Resources {
			d := s.dropletByURN(urn)
			if d == nil {
				out = append(out, resourceJSON{URN: urn, Status: "not_found"})
				continue
			}
			if d.projectID != p.ID {
				d.projectID, d.assignedAt = p.ID, c.now
			}
			out = append(out, d.resource(c))
		}
		c.json(http.StatusOK, map[string][]resourceJSON{"resources": out})
	})
}

// dropletByURN finds the droplet a "do:droplet:<id>" URN names; the caller
// holds s.mu.
func (s *Server) dropletByURN(urn string) *droplet {
	idText, ok := strings.CutPrefix(urn, "do:droplet:")
	if !ok {
		return nil
	}
	id, err := strconv.Atoi(idText)
	if err != nil {
		return nil
	}
	return s.droplets[id]
}

func (d *droplet) resource(c *call) resourceJSON {
	return resourceJSON{
		URN:        "do:droplet:" + strconv.Itoa(d.id),
		AssignedAt: timestamp(d.assignedAt),
		Links:      &resourceLinks{Self: c.baseURL() + "/v2/droplets/" + strconv.Itoa(d.id)},
		Status:     "ok",
	}
}
