package anywhere

import (
	"context"
	"errors"
	"net"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/Gleipnir-Technology/nixos-systems/internal/problem"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify/verifytest"
)

// The real nixos-anywhere never runs against this machine: its loopback
// addresses (where `mage sim` puts droplets) and its interfaces' own.
func TestCheckTargetRefusesThisMachine(t *testing.T) {
	hosts := []string{"127.0.0.1", "127.64.0.2", "::1", "::ffff:127.64.0.2", "0.0.0.0"}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if ip := a.(*net.IPNet).IP; !ip.IsLinkLocalUnicast() {
			hosts = append(hosts, ip.String())
		}
	}
	for _, host := range hosts {
		c := CheckTarget(host, nil)
		var here *ThisMachineError
		if c.Name != "target" || c.Status != verify.Failed || !errors.As(c.Err, &here) || here.Addr != host {
			t.Errorf("%s: %+v, want a failed check with a *ThisMachineError", host, c)
			continue
		}
		if !strings.HasPrefix(c.Detail, host+" is this machine (") || !strings.HasSuffix(c.Detail, "): nixos-anywhere would wipe its disk") {
			t.Errorf("%s: %q", host, c.Detail)
		}
		// Nothing the operator types lifts it.
		var o *problem.Overridable
		if errors.As(c.Err, &o) {
			t.Errorf("%s: refusal is overridable: %v", host, c.Err)
		}
	}
}

// Another machine passes this check; the others decide.
func TestCheckTargetPassesAnotherMachine(t *testing.T) {
	c := CheckTarget("198.51.100.7", nil)
	if c.Status != verify.OK || c.Detail != "198.51.100.7 is not this machine" {
		t.Errorf("%+v", c)
	}
	// A stand-in for nixos-anywhere runs nothing, so this machine is a
	// safe target: the tests' droplets are a real sshd on loopback.
	c = CheckTarget("127.0.0.1", nixVersion{t, "nix (Nix) 2.24.10"})
	if c.Status != verify.OK {
		t.Errorf("loopback, nixos-anywhere injected: %+v", c)
	}
}

// With the real runner the preflight of this machine stops at the target,
// -force or not, without logging in (which would record its host key),
// even where a Nix able to run nixos-anywhere is on PATH.
func TestPreflightRefusesThisMachine(t *testing.T) {
	s := sshtest.Start(t)
	calls := sshtest.NixOnPath(t, "nix (Nix) 2.24.10")
	cfg := verifytest.Config(t, s)
	known, err := os.ReadFile(cfg.KnownHostsFile)
	if err != nil {
		t.Fatal(err)
	}
	o := ready(t, s)
	o.Runner, o.Force = nil, true

	rep, err := Preflight(context.Background(), s.Host, cfg, o)

	var here *ThisMachineError
	if !errors.As(err, &here) || !strings.HasSuffix(err.Error(), "nixos-anywhere would wipe its disk; nothing on "+s.Host+" was changed") {
		t.Errorf("error = %v, want the target refused", err)
	}
	if st := verifytest.Statuses(rep); st["target"] != verify.Failed || st["local nix"] != verify.OK || st["login"] != "" {
		t.Errorf("checks = %v, want the local ones, then the target failed, and no login", st)
	}
	if after, _ := os.ReadFile(cfg.KnownHostsFile); string(after) != string(known) {
		t.Errorf("known_hosts changed:\n%s", after)
	}
	if got := sshtest.Calls(t, calls); !slices.Equal(got, []string{"nix --version"}) {
		t.Errorf("nix ran %q, want only its version asked", got)
	}
}
