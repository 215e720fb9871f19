package dosim

import "net/http"

// The droplet actions the simulator carries out (dropletActions_post.yml).
const (
	actionPowerOff = "power_off"
	actionShutdown = "shutdown"
	actionPowerOn  = "power_on"
	actionResize   = "resize"
)

// Refusals of droplet actions. SOURCES.md says where each text comes from.
const (
	msgPendingEvent       = "Droplet already has a pending event."
	msgAlreadyOff         = "Droplet is already powered off."
	msgAlreadyOn          = "Droplet is already powered on."
	msgPowerOffFirst      = "Droplet is currently on. Please power it off to run this event."
	msgDiskShrink         = "Size can not decrease size of Droplet's disk image"
	msgSameSize           = "The droplet is already set to this size."
	msgNoCapacity         = "Size is too large to fit on your droplet's server"
	msgNotBooted          = "Droplet has not finished booting."
	msgSizeRequired       = "size is required for a resize"
	msgActionNotSimulated = "the simulator does not carry out droplet actions of this type"
)

// ActionFault makes droplet actions misbehave, as DigitalOcean's sometimes
// do, to exercise what a client does then. It affects only actions the
// simulator would otherwise accept.
type ActionFault struct {
	Type    string // "power_off", "shutdown", "power_on" or "resize"; "" = any of them
	Status  int    // refuse the request with this status and start nothing; a 422 on a resize says msgNoCapacity
	Errored bool   // the action ends "errored" after ActionTime and changes nothing
	// Ignored: the action ends "completed" after ActionTime but changes
	// nothing, as a shutdown does whose signal the droplet's system
	// ignores: DigitalOcean's shutdown "guarantees that the command is
	// issued, not that it succeeds" (dropletActions_post.yml).
	Ignored bool
	Stuck   bool // the action stays "in-progress" for ever, so the droplet refuses every further action
	Times   int  // actions it affects; 0 = all
}

type activeActionFault struct {
	ActionFault
	left int
}

// AddActionFault adds f after the action faults already added; an action
// meets only the first one that matches its type and has Times left.
func (s *Server) AddActionFault(f ActionFault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.actionFaults = append(s.actionFaults, &activeActionFault{ActionFault: f, left: f.Times})
}

// takeActionFault finds and uses up the fault an action of typ meets; the
// caller holds s.mu.
func (s *Server) takeActionFault(typ string) *ActionFault {
	for _, f := range s.actionFaults {
		if (f.Times > 0 && f.left == 0) || (f.Type != "" && f.Type != typ) {
			continue
		}
		f.left--
		return &f.ActionFault
	}
	return nil
}

// actionRequest is the union of droplet_actions.yml's request bodies for the
// types simulated.
type actionRequest struct {
	Type string `json:"type"`
	Size string `json:"size"`
	Disk bool   `json:"disk"`
}

// postDropletAction starts a droplet action (POST
// /v2/droplets/{droplet}/actions) and answers 201 with it in progress, or
// refuses it with 422 as DigitalOcean does.
func (s *Server) postDropletAction(c *call) {
	var req actionRequest
	if !c.decode(&req) {
		return
	}
	withFound(s, c, s.pathDroplet, func(d *droplet) {
		a, msg := s.planAction(d, &req, c)
		if msg != "" {
			c.fail(http.StatusUnprocessableEntity, msg)
			return
		}
		a.outcome = actionCompleted
		if f := s.takeActionFault(a.typ); f != nil {
			switch {
			case f.Status == http.StatusUnprocessableEntity && a.typ == actionResize:
				c.fail(f.Status, msgNoCapacity)
				return
			case f.Status != 0:
				c.fail(f.Status, faultMessage(f.Status))
				return
			case f.Stuck:
				a.outcome = actionNever
			case f.Errored:
				a.outcome = actionErrored
			case f.Ignored:
				a.ignored = true
			}
		}
		s.startAction(d, a)
		v := s.actionView(a, c.now)
		// The answer shows the action just started, however short
		// ActionTime is, as DigitalOcean's always does.
		v.Status, v.CompletedAt = "in-progress", nil
		c.json(http.StatusCreated, map[string]actionJSON{"action": v})
	})
}

// planAction checks req against DigitalOcean's rules for d's state at
// c.now and returns the action to start, or the message refusing it. The
// caller holds s.mu.
func (s *Server) planAction(d *droplet, req *actionRequest, c *call) (*action, string) {
	a := &action{typ: req.Type, started: c.now, duration: s.opts.ActionTime}
	switch req.Type {
	case actionPowerOff, actionShutdown, actionPowerOn, actionResize:
	default:
		return nil, msgActionNotSimulated
	}
	if d.pendingAt(c.now) {
		return nil, msgPendingEvent
	}
	st := d.stateAt(c.now)
	switch {
	case st.status == "new":
		return nil, msgNotBooted
	case req.Type == actionPowerOn && st.status == "active":
		return nil, msgAlreadyOn
	case (req.Type == actionPowerOff || req.Type == actionShutdown) && st.status == "off":
		return nil, msgAlreadyOff
	case req.Type != actionResize:
		return a, ""
	}

	if req.Size == "" {
		return nil, msgSizeRequired
	}
	size, ok := sizeBySlug(req.Size)
	switch {
	case !ok:
		return nil, msgInvalidSize
	case st.status != "off":
		return nil, msgPowerOffFirst
	case !size.offeredIn(d.region.Slug):
		return nil, msgSizeNotInRegion
	case size.Disk < st.disk:
		return nil, msgDiskShrink
	case size.Slug == st.size.Slug && (!req.Disk || st.disk == size.Disk):
		return nil, msgSameSize
	}
	a.size, a.disk = size, req.Disk
	return a, ""
}

// startAction records a, an action on d that has its type, start, duration
// and outcome, and brings d's SSH endpoint in line with what it will do;
// the caller holds s.mu.
func (s *Server) startAction(d *droplet, a *action) {
	a.id, a.dropletID, a.region = s.newID("action"), d.id, d.region
	s.actions[a.id] = a
	d.actions = append(d.actions, a)
	s.syncSSH(d)
}
