package anywhere

import (
	"fmt"

	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

// CheckTarget refuses host when it is this machine (remote.ThisMachine)
// and r is nil, the real nixos-anywhere, which would kexec this machine
// and wipe its disk: a droplet of `mage sim` has a loopback address, and
// the simulator may forward its SSH to this machine's own sshd. The
// refusal is no Overridable: nothing the operator types lifts it.
//
// An injected r is the one way past it: it never runs nixos-anywhere, and
// the tests, whose droplets are a real sshd on loopback, inject one.
func CheckTarget(host string, r runner.Runner) verify.Check {
	if r != nil {
		return verify.Pass("target", host+": nixos-anywhere is a stand-in here, which runs nothing on it")
	}
	why, err := remote.ThisMachine(host)
	switch {
	case err != nil:
		return verify.Fail("target", fmt.Errorf("%w: nixos-anywhere would wipe the disk of the machine at it", err))
	case why != "":
		return verify.Fail("target", &ThisMachineError{Addr: host, Why: why})
	}
	return verify.Pass("target", host+" is not this machine")
}

// ThisMachineError is an install whose target is the machine it would run
// from.
type ThisMachineError struct {
	Addr string // as given
	Why  string // how it is this machine: "a loopback address" …
}

func (e *ThisMachineError) Error() string {
	return fmt.Sprintf("%s is this machine (%s): nixos-anywhere would wipe its disk", e.Addr, e.Why)
}
