package infect

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
)

// Tag marks a droplet made with the user data that runs nixos-infect, the
// only way the install starts: `up -route=infect` and the infect target
// create their droplets with it, so that a later run knows the droplet's
// route from the API alone.
const Tag = "nixos-systems:infect"

// State is what the droplet says about the install.
type State struct {
	Infect    string // first line of the status file: running, failed <why>, done; "" before the install starts
	CloudInit string // `cloud-init status`: running, done, error…; "" where there is none, as on NixOS
	OS        string // ID in os-release: debian before the switch, nixos after
}

// NixOS reports whether the droplet runs NixOS now.
func (s State) NixOS() bool { return s.OS == "nixos" }

func (s State) done() bool { return s.Infect == "done" }

func (s State) String() string {
	return fmt.Sprintf("os %s, cloud-init %s, nixos-infect %s", cmp.Or(s.OS, "unknown"), cmp.Or(s.CloudInit, "absent"), cmp.Or(s.Infect, "not started"))
}

// failure says why the install can no longer succeed, or "" while it can.
func (s State) failure() string {
	word, detail, _ := strings.Cut(s.Infect, " ")
	switch {
	case s.NixOS():
		return ""
	case word == "failed":
		return "nixos-infect failed: " + cmp.Or(detail, "no reason given")
	case s.CloudInit == "disabled":
		return "cloud-init is disabled on this image, so it never runs user data: use a stock image such as debian-12-x64"
	case s.CloudInit == "error" && !s.done():
		return "cloud-init reports an error before nixos-infect finished"
	case s.CloudInit == "done" && s.Infect == "":
		return "cloud-init finished without starting nixos-infect: the droplet did not run the user data"
	case s.CloudInit == "done" && word == "running":
		return "cloud-init finished while nixos-infect was still running: it was killed"
	}
	return ""
}

// FailedError is an install that the droplet reports as failed.
type FailedError struct {
	Reason string
	State  State
}

func (e *FailedError) Error() string {
	return fmt.Sprintf("%s (%s)", e.Reason, e.State)
}

// probeCommand prints the state as key=value lines. It always exits 0:
// a missing file or command is itself part of the answer.
func probeCommand(p Paths) string {
	return fmt.Sprintf(`s=$(head -n 1 %s 2>/dev/null); `+
		`o=$(sed -n 's/^ID=//p' %s 2>/dev/null); `+
		`c=$(cloud-init status 2>/dev/null | sed -n 's/^status: //p'); `+
		`printf 'infect=%%s\nos=%%s\ncloudinit=%%s\n' "$s" "$o" "$c"`,
		remote.ShellQuote(p.Status), remote.ShellQuote(p.OSRelease))
}

// ReadState reads the droplet's state over c, changing nothing.
func ReadState(ctx context.Context, c *remote.Client, p Paths) (State, error) {
	out, err := c.Output(ctx, probeCommand(p))
	if err != nil {
		return State{}, err
	}
	var s State
	for _, line := range strings.Split(string(out), "\n") {
		k, v, _ := strings.Cut(line, "=")
		v = strings.Trim(strings.TrimSpace(v), `"'`)
		switch k {
		case "infect":
			s.Infect = v
		case "os":
			s.OS = v
		case "cloudinit":
			s.CloudInit = v
		}
	}
	return s, nil
}
