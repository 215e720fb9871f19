package dosim

import (
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// droplet is the simulator's record of a droplet; its status, size and
// networks are derived from its actions and the clock when it is read.
type droplet struct {
	id          int
	name        string
	createdSize sizeJSON
	region      regionJSON
	image       imageJSON // as it was when the droplet was created
	customImage bool
	features    []string
	tags        []string
	userData    string
	vpcUUID     string
	backups     bool
	created     time.Time
	actions     []*action // in the order they were started; the first is its creation
	projectID   string
	assignedAt  time.Time

	publicIP, publicGateway, privateIP netip.Addr
	ipv6, ipv6Gateway                  netip.Addr // invalid when the droplet has no IPv6

	ssh *sshEndpoint // nil without Options.SSHPort
}

// dropletJSON is the Droplet schema (specification/resources/droplets/models/droplet.yml).
type dropletJSON struct {
	ID               int           `json:"id"`
	Name             string        `json:"name"`
	Memory           int           `json:"memory"`
	Vcpus            int           `json:"vcpus"`
	Disk             int           `json:"disk"`
	DiskInfo         []diskInfo    `json:"disk_info"`
	Locked           bool          `json:"locked"`
	Status           string        `json:"status"`
	Kernel           any           `json:"kernel"` // null: droplets since 2017 boot their own kernel
	CreatedAt        string        `json:"created_at"`
	Features         []string      `json:"features"`
	BackupIDs        []int         `json:"backup_ids"`
	NextBackupWindow *backupWindow `json:"next_backup_window"`
	SnapshotIDs      []int         `json:"snapshot_ids"`
	Image            imageJSON     `json:"image"`
	VolumeIDs        []string      `json:"volume_ids"`
	Size             sizeJSON      `json:"size"`
	SizeSlug         string        `json:"size_slug"`
	Networks         networksJSON  `json:"networks"`
	Region           regionJSON    `json:"region"`
	Tags             []string      `json:"tags"`
	VPCUUID          string        `json:"vpc_uuid"`
}

type backupWindow struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// dropletState is what a droplet is at one moment.
type dropletState struct {
	status      string // new, active or off
	size        sizeJSON
	disk        int       // GB: its size's at creation, grown only by a resize that asks for it
	activeSince time.Time // when it last became active
}

// stateAt folds the actions that completed by t, in order: "new" until its
// creation completes, then "active", "off" after a power_off or shutdown,
// "active" again after a power_on; a resize changes the size, and the disk
// when asked to. Errored and ignored actions change nothing. Actions never overlap (a
// droplet refuses one while another runs), so start order is completion
// order.
func (d *droplet) stateAt(t time.Time) dropletState {
	st := dropletState{status: "new", size: d.createdSize, disk: d.createdSize.Disk}
	for _, a := range d.actions {
		if !a.completedBy(t) || a.ignored {
			continue
		}
		done, _ := a.doneAt()
		switch a.typ {
		case "create", actionPowerOn:
			st.status, st.activeSince = "active", done
		case actionPowerOff, actionShutdown:
			st.status = "off"
		case actionResize:
			st.size = a.size
			if a.disk {
				st.disk = a.size.Disk
			}
		}
	}
	return st
}

// pendingAt reports whether an action of d is in progress at t.
func (d *droplet) pendingAt(t time.Time) bool {
	return slices.ContainsFunc(d.actions, func(a *action) bool { return a.inProgress(t) })
}

// view renders d as the API shows it at now; the caller holds s.mu.
func (s *Server) view(d *droplet, now time.Time) dropletJSON {
	st := d.stateAt(now)
	v := dropletJSON{
		ID:          d.id,
		Name:        d.name,
		Memory:      st.size.Memory,
		Vcpus:       st.size.Vcpus,
		Disk:        st.disk,
		DiskInfo:    []diskInfo{{Type: "local", Size: diskSize{Amount: st.disk, Unit: "gib"}}},
		Status:      st.status,
		CreatedAt:   timestamp(d.created),
		Features:    d.features,
		BackupIDs:   []int{},
		SnapshotIDs: []int{},
		Image:       d.image,
		VolumeIDs:   []string{},
		Size:        st.size,
		SizeSlug:    st.size.Slug,
		Networks:    networksJSON{V4: []networkV4JSON{}, V6: []networkV6JSON{}},
		Region:      d.region,
		Tags:        d.tags,
		VPCUUID:     d.vpcUUID,
	}
	if d.backups {
		// The window opens at the next midnight UTC and lasts a day.
		start := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
		v.NextBackupWindow = &backupWindow{Start: timestamp(start), End: timestamp(start.Add(23 * time.Hour))}
	}
	if v.Status != "new" || !now.Before(d.created.Add(s.opts.NetworkDelay)) {
		v.Networks.V4 = []networkV4JSON{
			{IPAddress: d.privateIP.String(), Netmask: "255.255.0.0", Type: "private"},
			{IPAddress: d.publicIP.String(), Netmask: "255.255.255.0", Gateway: d.publicGateway.String(), Type: "public"},
		}
		if d.ipv6.IsValid() {
			v.Networks.V6 = []networkV6JSON{{IPAddress: d.ipv6.String(), Netmask: 64, Gateway: d.ipv6Gateway.String(), Type: "public"}}
		}
	}
	return v
}

// dropletViews renders the droplets keep accepts, ordered by id; the caller
// holds s.mu.
func (s *Server) dropletViews(now time.Time, keep func(*droplet) bool) []dropletJSON {
	return views(s.droplets, keep, func(d *droplet) dropletJSON { return s.view(d, now) })
}

// pathDroplet finds the droplet the {droplet} path segment names; the caller
// holds s.mu.
func (s *Server) pathDroplet(c *call) (*droplet, bool) {
	return byID(s.droplets, c.r.PathValue("droplet"))
}

func (s *Server) getDroplet(c *call) {
	withFound(s, c, s.pathDroplet, func(d *droplet) {
		c.json(http.StatusOK, map[string]dropletJSON{"droplet": s.view(d, c.now)})
	})
}

// listDroplets supports the tag_name, name (exact, case-insensitive) and
// type filters; the spec forbids combining tag_name with the others.
func (s *Server) listDroplets(c *call) {
	q := c.r.URL.Query()
	tag, name, typ := q.Get("tag_name"), q.Get("name"), q.Get("type")
	if tag != "" && (name != "" || typ != "") {
		c.fail(http.StatusUnprocessableEntity, "tag_name can not be combined with name or type")
		return
	}
	s.mu.Lock()
	views := s.dropletViews(c.now, func(d *droplet) bool {
		switch {
		case typ == "gpus": // no simulated size has a GPU
			return false
		case tag != "":
			return slices.Contains(d.tags, tag)
		case name != "":
			return strings.EqualFold(d.name, name)
		}
		return true
	})
	s.mu.Unlock()
	paginate(c, "droplets", views)
}

// deleteDroplet removes the droplet at once; DigitalOcean takes a few
// seconds, during which the droplet still lists, but nothing here needs that.
func (s *Server) deleteDroplet(c *call) {
	withFound(s, c, s.pathDroplet, func(d *droplet) {
		s.remove(d)
		c.noContent()
	})
}

func (s *Server) deleteDropletsByTag(c *call) {
	tag := c.r.URL.Query().Get("tag_name")
	if tag == "" {
		c.fail(http.StatusUnprocessableEntity, "tag_name is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.droplets {
		if slices.Contains(d.tags, tag) {
			s.remove(d)
		}
	}
	c.noContent()
}

// remove deletes d and closes its SSH endpoint; its actions stay readable,
// as DigitalOcean keeps an account's action history. The caller holds s.mu.
func (s *Server) remove(d *droplet) {
	delete(s.droplets, d.id)
	d.ssh.stop()
}
