package dosim

import (
	"net/http"
	"time"
)

// Action outcomes: what an action's status becomes once its time is up.
const (
	actionCompleted = "completed"
	actionErrored   = "errored"
	actionNever     = "" // stays in progress for ever
)

// action is something done to a droplet: its creation or a droplet action
// (droplet_actions.go). Its status, and what it did to the droplet, are
// derived from the clock when read.
type action struct {
	id        int
	dropletID int
	typ       string // create, power_off, shutdown, power_on, resize
	region    regionJSON
	started   time.Time
	duration  time.Duration // in progress for this long, then outcome
	outcome   string        // actionCompleted, actionErrored or actionNever
	ignored   bool          // completes, but the droplet does not act on it

	size sizeJSON // resize: the size it moves the droplet to
	disk bool     // resize: the disk grows to the size's too
}

// doneAt is when a's time is up; false for an action that never ends.
func (a *action) doneAt() (time.Time, bool) {
	return a.started.Add(a.duration), a.outcome != actionNever
}

// completedBy reports whether a completed (not errored) at or before t.
func (a *action) completedBy(t time.Time) bool {
	done, ends := a.doneAt()
	return ends && a.outcome == actionCompleted && !t.Before(done)
}

// inProgress reports whether a is still running at t.
func (a *action) inProgress(t time.Time) bool {
	done, ends := a.doneAt()
	return !ends || t.Before(done)
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

// actionView renders a at now: in progress until its duration has passed,
// then its outcome, with completed_at set.
func (s *Server) actionView(a *action, now time.Time) actionJSON {
	v := actionJSON{
		ID:           a.id,
		Status:       "in-progress",
		Type:         a.typ,
		StartedAt:    timestamp(a.started),
		ResourceID:   a.dropletID,
		ResourceType: "droplet",
		Region:       a.region,
		RegionSlug:   a.region.Slug,
	}
	if a.inProgress(now) {
		return v
	}
	done, _ := a.doneAt()
	completed := timestamp(done)
	v.Status, v.CompletedAt = a.outcome, &completed
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
