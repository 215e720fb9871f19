package deploy

import (
	"fmt"
	"path/filepath"

	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
)

// checkTargets refuses hs when one is at an address of this machine
// (remote.ThisMachine) and r is nil, the real deploy-rs, which would switch
// this machine's system (if it runs NixOS) to that host's: a loopback
// address in a host entry is a droplet of `mage sim` or a typo, never a
// droplet. Nothing the operator types lifts it.
//
// An injected r is the one way past it: it never runs deploy-rs, and the
// tests, whose hosts are real sshds on loopback, inject one.
func checkTargets(hs []hosts.Host, dir string, r runner.Runner) error {
	if r != nil {
		return nil
	}
	for _, h := range hs {
		why, err := remote.ThisMachine(h.Address)
		switch {
		case err != nil:
			return fmt.Errorf("host %s: %w: deploy-rs would switch the system of the machine at it", h.Name, err)
		case why != "":
			return &ThisMachineError{Host: h.Name, Addr: h.Address, Why: why, Entry: filepath.Join(dir, h.Name, hosts.MetaFile)}
		}
	}
	return nil
}

// ThisMachineError is a deploy to a host whose entry gives an address of
// the machine it would run from.
type ThisMachineError struct {
	Host, Addr string
	Why        string // how it is this machine: "a loopback address" …
	Entry      string // the host entry's file that holds Addr
}

func (e *ThisMachineError) Error() string {
	return fmt.Sprintf("host %s is at %s, which is this machine (%s): deploy-rs would switch this machine's system to host %s's", e.Host, e.Addr, e.Why, e.Host)
}
