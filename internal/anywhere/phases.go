package anywhere

import (
	"fmt"

	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

// Phase is how far nixos-anywhere got. Its own phases (--phases) are kexec,
// disko, install and reboot; build and connect come before them.
type Phase int

const (
	PhaseBuild   Phase = iota // evaluating and building the system locally, before the first step line
	PhaseConnect              // installing its temporary SSH key and reading the machine's facts
	PhaseKexec                // switching the droplet into the NixOS installer, which runs from RAM
	PhaseDisko                // partitioning and formatting /dev/vda
	PhaseInstall              // copying the system and running nixos-install
	PhaseReboot               // rebooting into the installed system
	PhaseDone
)

var phaseNames = [...]string{"build", "connect", "kexec", "disko", "install", "reboot", "done"}

func (p Phase) String() string {
	if p < 0 || int(p) >= len(phaseNames) {
		return fmt.Sprintf("Phase(%d)", int(p))
	}
	return phaseNames[p]
}

// stepPhases maps the step lines of nixos-anywhere 1.13.0
// (src/nixos-anywhere.sh, `step` prints "### <text> ###") to phases. Steps
// not listed (hardware config generation, disk encryption key uploads) are
// for options this route does not use, and leave the phase as it was.
var stepPhases = map[string]Phase{
	"Uploading install SSH keys":       PhaseConnect,
	"Gathering machine facts":          PhaseConnect, // again after kexec: phases never go back
	"Switching system into kexec":      PhaseKexec,
	"Building disko script":            PhaseDisko,
	"Formatting hard drive with disko": PhaseDisko,
	"Uploading the system closure":     PhaseInstall,
	"Building the system closure":      PhaseInstall,
	"Copying extra files":              PhaseInstall,
	"Installing NixOS":                 PhaseInstall,
	"Rebooting":                        PhaseReboot,
	"Waiting for the machine to become unreachable due to reboot": PhaseReboot,
	"Done!": PhaseDone,
}

// buildsOnDroplet are the step lines nixos-anywhere prints when it builds
// on the droplet, after kexec, rather than here: it does when this machine
// cannot build for x86_64-linux (--build-on auto tries a trivial build for
// it first), with the evaluation here and the build in the installer's RAM.
// A failure after one of them is the build's, not the disk's or the
// install's; the value says what it left behind.
var buildsOnDroplet = map[string]string{
	"Building disko script":       "the disk is untouched and the droplet runs the installer",
	"Building the system closure": "/dev/vda is partitioned and the droplet runs the installer",
}

// left says where a run stopped from outside in p left the droplet.
func (p Phase) left() string {
	switch p {
	case PhaseBuild:
		return "it had not touched the droplet yet"
	case PhaseConnect:
		return "the droplet still runs its old system"
	case PhaseKexec:
		return "the droplet may be switching into the NixOS installer; its disk is untouched, so power-cycling it in the DigitalOcean control panel brings the old system back"
	case PhaseDisko:
		return "the droplet runs the installer with a half-written disk"
	case PhaseInstall:
		return "the droplet runs the installer, the install unfinished"
	case PhaseReboot:
		return "the droplet is rebooting into the installed system"
	}
	return "nixos-anywhere had finished its steps"
}

// advice says, for a run that failed in p, what state the droplet is in and
// what to look at.
func (p Phase) advice() string {
	switch p {
	case PhaseBuild:
		return "the system did not evaluate or build, and the droplet was not touched: the Nix errors above say why " +
			"(`nix build .#nixosConfigurations.digitalocean.config.system.build.toplevel` repeats the build)"
	case PhaseConnect:
		return "nixos-anywhere could not log in to the droplet or read its facts, and changed nothing: see the ssh errors above"
	case PhaseKexec:
		return "the droplet did not come up in the NixOS installer, most often for lack of RAM or a hang: use a droplet of at least 2 GB; " +
			"the disk is untouched, so power-cycling the droplet in the DigitalOcean control panel brings the old system back"
	case PhaseDisko:
		return "partitioning /dev/vda failed: see disko's output above and nixos-anywhere/disk-config.nix; " +
			"the droplet still runs the installer with a half-written disk"
	case PhaseInstall:
		return "nixos-install failed: the build errors above say why; the droplet still runs the installer"
	case PhaseReboot:
		return "the droplet did not reboot as it should, or dropped off the network: look at it through DigitalOcean's recovery console: " + verify.RecoveryConsoleURL
	}
	return "nixos-anywhere failed after its last step: see its output above"
}
