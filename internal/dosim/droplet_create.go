package dosim

import (
	"crypto/md5"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// createRequest is the union of droplet_single_create.yml and
// droplet_multi_create.yml. image and ssh_keys items may be strings or
// integers, so they are decoded by hand.
type createRequest struct {
	Name             string            `json:"name"`
	Names            []string          `json:"names"`
	Region           string            `json:"region"`
	Size             string            `json:"size"`
	Image            json.RawMessage   `json:"image"`
	SSHKeys          []json.RawMessage `json:"ssh_keys"`
	Backups          bool              `json:"backups"`
	IPv6             bool              `json:"ipv6"`
	Monitoring       bool              `json:"monitoring"`
	Tags             []string          `json:"tags"`
	UserData         string            `json:"user_data"`
	VPCUUID          string            `json:"vpc_uuid"`
	WithDropletAgent *bool             `json:"with_droplet_agent"`
}

// hostnamePattern is the spec's pattern for name and each of names.
var hostnamePattern = regexp.MustCompile(`^[a-zA-Z0-9]?[a-z0-9A-Z.\-]*[a-z0-9A-Z]$`)

const (
	maxNameLength   = 255
	maxUserData     = 64 << 10 // "may not exceed 64 KiB"
	maxMultiCreate  = 10
	createActionRel = "create"
)

type actionLink struct {
	ID   int    `json:"id"`
	Rel  string `json:"rel"`
	HREF string `json:"href"`
}

type actionLinks struct {
	Actions []actionLink `json:"actions"`
}

// createDroplets implements POST /v2/droplets for one droplet (name) or up
// to ten (names). Every check runs before anything is created, so a refused
// request leaves no droplet behind.
func (s *Server) createDroplets(c *call) {
	var req createRequest
	if !c.decode(&req) {
		return
	}
	multi := req.Names != nil
	names := req.Names
	if !multi {
		names = []string{req.Name}
	}
	if msg := checkNames(names); msg != "" {
		c.fail(http.StatusUnprocessableEntity, msg)
		return
	}
	if len(req.UserData) > maxUserData {
		c.fail(http.StatusUnprocessableEntity, "user_data must not exceed 64 KiB")
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	plan, msg := s.plan(&req, c.now)
	if msg != "" {
		c.fail(http.StatusUnprocessableEntity, msg)
		return
	}
	views := make([]dropletJSON, 0, len(names))
	links := actionLinks{Actions: make([]actionLink, 0, len(names))}
	for _, name := range names {
		d := s.launch(name, &req, plan, c.now)
		v := s.view(d, c.now)
		// The answer shows the droplet as just accepted, however short
		// BootTime is, as DigitalOcean's 202 always does.
		v.Status = "new"
		v.Networks = networksJSON{V4: []networkV4JSON{}, V6: []networkV6JSON{}}
		views = append(views, v)
		links.Actions = append(links.Actions, actionLink{
			ID:   d.actions[0].id,
			Rel:  createActionRel,
			HREF: c.baseURL() + "/v2/actions/" + strconv.Itoa(d.actions[0].id),
		})
	}
	if multi {
		c.json(http.StatusAccepted, struct {
			Droplets []dropletJSON `json:"droplets"`
			Links    actionLinks   `json:"links"`
		}{views, links})
		return
	}
	c.json(http.StatusAccepted, struct {
		Droplet dropletJSON `json:"droplet"`
		Links   actionLinks `json:"links"`
	}{views[0], links})
}

func checkNames(names []string) string {
	if len(names) == 0 || len(names) > maxMultiCreate {
		return fmt.Sprintf("between 1 and %d names are required", maxMultiCreate)
	}
	for _, n := range names {
		if len(n) > maxNameLength {
			return fmt.Sprintf("Name is too long (maximum is %d characters)", maxNameLength)
		}
		if !hostnamePattern.MatchString(n) {
			return msgInvalidName
		}
	}
	return ""
}

// createPlan is what a valid request resolved to.
type createPlan struct {
	size   sizeJSON
	region regionJSON
	image  imageJSON
	custom bool
}

// plan validates everything that needs the account's state and resolves
// size, region and image; it returns DigitalOcean's message when the request
// must be refused. The caller holds s.mu.
func (s *Server) plan(req *createRequest, now time.Time) (createPlan, string) {
	var p createPlan
	var ok bool
	if p.size, ok = sizeBySlug(req.Size); !ok {
		return p, msgInvalidSize
	}
	var imageRegions []string
	if p.image, imageRegions, p.custom, ok = s.resolveImage(req.Image, now); !ok {
		return p, msgInvalidImage
	}
	inImageRegion := func(region string) bool { return slices.Contains(imageRegions, region) }
	region, msg := pickRegion(req.Region, p.size, inImageRegion)
	if msg != "" {
		return p, msg
	}
	p.region = region
	if !p.size.offeredIn(region.Slug) {
		return p, msgSizeNotInRegion
	}
	if !inImageRegion(region.Slug) {
		return p, msgImageNotInRegion
	}
	if p.custom && req.IPv6 {
		return p, msgIPv6Custom
	}
	var bad []string
	for _, raw := range req.SSHKeys {
		ref, ok := stringOrInt(raw)
		if !ok {
			ref = string(raw)
		}
		if _, found := s.findKey(ref); !ok || !found {
			bad = append(bad, ref)
		}
	}
	if len(bad) > 0 {
		return p, strings.Join(bad, ", ") + " are invalid key identifiers for Droplet creation."
	}
	return p, ""
}

// resolveImage finds the image a create request names: a public image by
// slug or id, or a custom image by id once it is available. It returns the
// image, the regions it can be used in and whether it is custom; the caller
// holds s.mu.
func (s *Server) resolveImage(raw json.RawMessage, now time.Time) (imageJSON, []string, bool, bool) {
	ref, ok := stringOrInt(raw)
	if !ok {
		return imageJSON{}, nil, false, false
	}
	if im, ok := publicImage(ref); ok {
		return im, im.Regions, false, true
	}
	id, err := strconv.Atoi(ref)
	if err != nil {
		return imageJSON{}, nil, false, false
	}
	ci, ok := s.images[id]
	if !ok {
		return imageJSON{}, nil, false, false
	}
	im := s.imageView(ci, now)
	if im.Status != "available" {
		return imageJSON{}, nil, false, false
	}
	return im, im.Regions, true, true
}

// stringOrInt decodes a JSON string or integer, the two forms the spec
// allows for image and ssh_keys items, into text.
func stringOrInt(raw json.RawMessage) (string, bool) {
	var text string
	if json.Unmarshal(raw, &text) == nil {
		return text, true
	}
	var id int
	if json.Unmarshal(raw, &id) == nil {
		return strconv.Itoa(id), true
	}
	return "", false
}

// launch creates one droplet of a validated request with its create action,
// which also arms its SSH endpoint; the caller holds s.mu.
func (s *Server) launch(name string, req *createRequest, p createPlan, now time.Time) *droplet {
	d := &droplet{
		id:          s.newID("droplet"),
		name:        name,
		createdSize: p.size,
		region:      p.region,
		image:       p.image,
		customImage: p.custom,
		tags:        append([]string{}, req.Tags...),
		userData:    req.UserData,
		vpcUUID:     req.VPCUUID,
		backups:     req.Backups,
		created:     now,
		projectID:   DefaultProjectID,
		assignedAt:  now,
	}
	if d.vpcUUID == "" {
		d.vpcUUID = defaultVPC(p.region.Slug)
	}
	d.features = features(req, p.custom)
	ri := slices.IndexFunc(regions, func(r regionJSON) bool { return r.Slug == p.region.Slug })
	d.publicIP, d.publicGateway = publicIPv4()
	d.privateIP = s.addrs.privateIPv4(ri)
	if req.IPv6 {
		d.ipv6, d.ipv6Gateway = s.addrs.publicIPv6(ri)
	}
	s.droplets[d.id] = d
	outcome := actionCompleted
	switch {
	case s.opts.NeverActive:
		outcome = actionNever
	case s.opts.ActionsError:
		outcome = actionErrored
	}
	s.startAction(d, &action{typ: "create", started: now, duration: s.opts.BootTime, outcome: outcome})
	return d
}

// features lists what DigitalOcean reports enabled on a new droplet. The
// droplet agent is installed unless refused, but on a custom image, whose OS
// it rarely supports, only when explicitly requested.
func features(req *createRequest, custom bool) []string {
	f := []string{"private_networking"}
	if req.Backups {
		f = append(f, "backups")
	}
	if req.IPv6 {
		f = append(f, "ipv6")
	}
	if req.Monitoring {
		f = append(f, "monitoring")
	}
	agent := req.WithDropletAgent
	if (agent == nil && !custom) || (agent != nil && *agent) {
		f = append(f, "droplet_agent")
	}
	return f
}

// defaultVPC is the stable UUID of a region's default VPC.
func defaultVPC(region string) string {
	b := md5.Sum([]byte("dosim default vpc " + region))
	b[6] = b[6]&0x0f | 0x30 // version 3: name-based, MD5
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
