package infect

import (
	"path"
	"path/filepath"
)

// Paths are where the install leaves its traces on the droplet. The user
// data writes to them and the follower and collector read them, so both
// sides take them from one value; tests point them at temporary files.
type Paths struct {
	Log             string // everything the install prints
	Status          string // one line: running, failed <why>, or done
	CloudInitOutput string // cloud-init's copy of the output of its modules
	CloudInit       string // cloud-init's own debug log
	OSRelease       string // ID=debian before the switch, ID=nixos after

	// OldRoot is where NixOS's first boot moves the old system (its
	// "lustration"): files not listed in /etc/NIXOS_LUSTRATE are found
	// under it afterwards.
	OldRoot string
}

// DefaultPaths are the paths on a real droplet.
func DefaultPaths() Paths {
	return Paths{
		Log:             "/var/log/nixos-infect.log",
		Status:          "/var/log/nixos-infect.status",
		CloudInitOutput: "/var/log/cloud-init-output.log",
		CloudInit:       "/var/log/cloud-init.log",
		OSRelease:       "/etc/os-release",
		OldRoot:         "/old-root",
	}
}

// Under returns p with every path moved below root, as a droplet's disk
// mounted at root would show them: tests keep the traces in a temporary
// directory.
func (p Paths) Under(root string) Paths {
	in := func(f string) string { return filepath.Join(root, f) }
	return Paths{
		Log: in(p.Log), Status: in(p.Status), CloudInitOutput: in(p.CloudInitOutput),
		CloudInit: in(p.CloudInit), OSRelease: in(p.OSRelease), OldRoot: in(p.OldRoot),
	}
}

// logs lists the files worth keeping when an install fails, each where it
// was before the reboot and where the lustration moves it.
func (p Paths) logs() []string {
	var out []string
	for _, f := range []string{p.CloudInitOutput, p.CloudInit, p.Log, p.Status} {
		out = append(out, f, path.Join(p.OldRoot, f))
	}
	return out
}
