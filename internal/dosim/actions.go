package dosim

import (
	"net/http"
	"time"
)

// action is a droplet's create action; its status is derived when read.
type action struct {
	id        int
	dropletID int
	region    regionJSON
	started   time.Time
}

// actionJSON is the Action schema (specification/resources/actions/models/action.yml).
type actionJSON struct {
	ID           int        `json:"id"`
	Status       string     `json:"status"`
	Type         string     `json:"type"`
	StartedAt    string     `json:"started_at"`
	CompletedAt  *string    `json:"completed_at"`
	ResourceID   int        `json:"resource_id"`
	ResourceType string     `json:"resource_type"`
	Region       regionJSON `json:"region"`
	RegionSlug   string     `json:"region_slug"`
}

// actionView renders a at now: in progress until BootTime has passed, then
// completed, or errored under ActionsError; NeverActive keeps it in
// progress.
func (s *Server) actionView(a *action, now time.Time) actionJSON {
	v := actionJSON{
		ID:           a.id,
		Status:       "in-progress",
		Type:         "create",
		StartedAt:    timestamp(a.started),
		ResourceID:   a.dropletID,
		ResourceType: "droplet",
		Region:       a.region,
		RegionSlug:   a.region.Slug,
	}
	done := a.started.Add(s.opts.BootTime)
	if s.opts.NeverActive || now.Before(done) {
		return v
	}
	v.Status = "completed"
	if s.opts.ActionsError {
		v.Status = "errored"
	}
	completed := timestamp(done)
	v.CompletedAt = &completed
	return v
}

// actionViews renders the actions keep accepts, ordered by id; the caller
// holds s.mu.
func (s *Server) actionViews(now time.Time, keep func(*action) bool) []actionJSON {
	return views(s.actions, keep, func(a *action) actionJSON { return s.actionView(a, now) })
}

func (s *Server) listActions(c *call) {
	s.mu.Lock()
	views := s.actionViews(c.now, func(*action) bool { return true })
	s.mu.Unlock()
	paginate(c, "actions", views)
}

func (s *Server) getAction(c *call) {
	withFound(s, c, s.pathAction, func(a *action) { s.answerAction(c, http.StatusOK, a) })
}

func (s *Server) listDropletActions(c *call) {
	withFound(s, c, s.pathDroplet, func(d *droplet) {
		paginate(c, "actions", s.actionViews(c.now, func(a *action) bool { return a.dropletID == d.id }))
	})
}

func (s *Server) getDropletAction(c *call) {
	withFound(s, c, s.pathDropletAction, func(a *action) { s.answerAction(c, http.StatusOK, a) })
}

// answerAction answers with a's state now; the caller holds s.mu.
func (s *Server) answerAction(c *call, status int, a *action) {
	c.json(status, map[string]actionJSON{"action": s.actionView(a, c.now)})
}

// pathAction finds the action the {action} path segment names; the caller
// holds s.mu.
func (s *Server) pathAction(c *call) (*action, bool) {
	return byID(s.actions, c.r.PathValue("action"))
}

// pathDropletAction finds the action {action} of the droplet {droplet};
// the caller holds s.mu.
func (s *Server) pathDropletAction(c *call) (*action, bool) {
	d, okDroplet := s.pathDroplet(c)
	a, okAction := s.pathAction(c)
	return a, okDroplet && okAction && a.dropletID == d.id
}
