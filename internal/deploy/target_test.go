package deploy

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// The real deploy-rs never deploys to this machine: a host entry at a
// loopback address (a droplet of `mage sim`) is refused before the
// preflight logs in and before nix runs, even where a Nix able to run
// deploy-rs is on PATH; the dry run's commands are refused alike.
func TestRealDeployRefusesThisMachine(t *testing.T) {
	f := newFleet(t, "web1", "web2")
	calls := sshtest.NixOnPath(t, "nix (Nix) 2.24.10")

	results, err := Run(context.Background(), f.hosts, f.options(nil))

	var here *ThisMachineError
	if !errors.As(err, &here) || here.Host != "web1" || here.Addr != f.hosts[0].Address || here.Entry != filepath.Join(f.dir, "web1", hosts.MetaFile) {
		t.Fatalf("error = %v, want web1 refused as this machine", err)
	}
	want := "host web1 is at " + f.hosts[0].Address + ", which is this machine (a loopback address): deploy-rs would switch this machine's system to host web1's"
	if err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
	if len(results) != 0 || f.log.String() != "" {
		t.Errorf("results %v, log:\n%s", results, f.log)
	}
	if _, err := os.Stat(f.ssh.KnownHostsFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the preflight ran: known_hosts %v", err)
	}
	if got := sshtest.Calls(t, calls); len(got) != 0 {
		t.Errorf("nix ran: %q", got)
	}
	if _, err := Commands(f.hosts[1:], f.options(nil)); !errors.As(err, &here) || here.Host != "web2" {
		t.Errorf("dry run's commands: %v, want web2 refused", err)
	}
}

// Another machine's address passes; an injected runner makes this
// machine a safe target, which the tests' loopback sshds are.
func TestCheckTargets(t *testing.T) {
	other := []hosts.Host{host(t, "web1", "198.51.100.7"), host(t, "web2", "198.51.100.8")}
	if err := checkTargets(other, "hosts", nil); err != nil {
		t.Errorf("other machines: %v", err)
	}
	here := append(other, host(t, "sim1", "127.64.0.2"))
	if err := checkTargets(here, "hosts", nil); err == nil || !strings.HasPrefix(err.Error(), "host sim1 is at 127.64.0.2, which is this machine") {
		t.Errorf("a loopback host: %v", err)
	}
	if err := checkTargets(here, "hosts", newFake(0)); err != nil {
		t.Errorf("deploy-rs injected: %v", err)
	}
}
