package plan

import (
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/steps"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

// Outline is an up before it runs: the sizes, what they cost, the steps.
type Outline struct {
	Name    string         `json:"name"`
	Route   Route          `json:"route"`
	Region  string         `json:"region"`
	Exists  bool           `json:"exists"` // the droplet is there already
	Size    droplets.Size  `json:"size"`
	Why     string         `json:"why"` // why this size
	Detour  *droplets.Size `json:"detour"`
	Install Cost           `json:"install_cost"` // what the run costs at most, bounded by Timeout
	Timeout time.Duration  `json:"-"`
	Steps   []string       `json:"steps"`
}

// Result is an up that finished: the droplet, its checks, what it costs
// and what each step did.
type Result struct {
	Droplet  droplets.Droplet `json:"droplet"`
	Route    Route            `json:"route"`
	Install  *Cost            `json:"install_cost"`          // what this run's time cost, at most; nil when it changed nothing
	Detour   string           `json:"detour_size,omitempty"` // "" also when it changed nothing
	Steps    []steps.Record   `json:"steps"`
	Verified verify.Report    `json:"verified"`
	Changed  bool             `json:"changed"` // a step other than looking ran
	Seconds  float64          `json:"seconds"`
}

// Stopped is an up that stopped (a failure, a timeout, an interruption)
// with where it left the droplet.
type Stopped struct {
	Err   error
	Name  string
	Route Route
	// Droplet is where the droplet is now; nil when none was made or it
	// could not be read (Unread says why).
	Droplet *droplets.Droplet
	Unread  error
	// Back is the size the droplet goes back to when it is on the detour
	// size now; nil otherwise.
	Back *droplets.Size
}

func (e *Stopped) Error() string { return e.Err.Error() }
func (e *Stopped) Unwrap() error { return e.Err }

// WentBack is an install that could not go on, after which the droplet
// went back from its detour size to Size, as it was before the run.
type WentBack struct {
	Err  error
	Name string // the droplet's
	Size string // the size it is on again
}

func (e *WentBack) Error() string { return e.Err.Error() }
func (e *WentBack) Unwrap() error { return e.Err }
