package e2e

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// TestNothingLost interrupts create in the ways a user meets (a timeout,
// Ctrl-C, an answer lost on the network) and checks that the droplet, which
// is billed from its creation, is neither lost nor doubled: `mage list`
// shows it and `mage destroy` removes it.
func TestNothingLost(t *testing.T) {
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		f := startSim(t, dosim.Options{NeverActive: true})
		sh := f.shell(t)
		mustFail(t, sh.run(t, "create", "-name=slow1", "-timeout=2s"), "no SSH within 2s", "mage list", "mage destroy")
		listThenDestroy(t, f, sh, "slow1")
	})
	t.Run("Ctrl-C", func(t *testing.T) {
		t.Parallel()
		f := startSim(t, dosim.Options{NeverActive: true})
		sh := f.shell(t)
		p := sh.start(t, "create", "-name=stopped1")
		// Once the droplet exists and the wait for it is on, as a user
		// tired of waiting would.
		sshtest.Eventually(t, "the wait for the droplet", func() bool {
			out := p.stderr.String()
			return len(f.Droplets()) > 0 && (strings.Contains(out, "no address yet") || strings.Contains(out, "waiting for SSH"))
		})
		if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		mustFail(t, p.wait(t), "interrupted", "mage list", "mage destroy")
		listThenDestroy(t, f, sh, "stopped1")
	})
	// mage exits 5 s after a Ctrl-C whatever the target does; up's report
	// of where it stopped comes out before that, even when DigitalOcean
	// is too slow to say.
	t.Run("up Ctrl-C, DigitalOcean slow", func(t *testing.T) {
		t.Parallel()
		f := startSim(t, dosim.Options{NeverActive: true})
		sh := f.shell(t)
		withKey(t, f, sh)
		p := sh.start(t, "up", "stopped2", "-route=infect")
		sshtest.Eventually(t, "the wait for the droplet", func() bool {
			out := p.stderr.String()
			return len(f.Droplets()) > 0 && (strings.Contains(out, "no address yet") || strings.Contains(out, "waiting for SSH"))
		})
		f.AddFault(dosim.Fault{Method: "GET", Path: "/v2/droplets", Delay: time.Minute})
		if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		r := p.wait(t)
		mustFail(t, r, "interrupted", "droplet stopped2 could not be read", "mage list", "mage up stopped2 -route=infect")
		if strings.Contains(r.stderr, "cleanup timeout exceeded") {
			t.Errorf("%s: mage gave up waiting for the report:\n%s", r, r.stderr)
		}
	})
	t.Run("create answer lost", func(t *testing.T) {
		t.Parallel()
		f := startSim(t, dosim.Options{})
		f.AddFault(dosim.Fault{Method: "POST", Path: "/v2/droplets", DropAfterHandling: true, Times: 1})
		sh := f.shell(t)
		r := sh.run(t, "create", "-name=lost1")
		mustSucceed(t, r)
		if !strings.Contains(r.stderr, "answer was lost") {
			t.Errorf("%s did not say it found the droplet after the lost answer:\n%s", r, r.stderr)
		}
		if posts := f.count("POST", "/v2/droplets"); posts != 1 {
			t.Errorf("%d create requests, want 1: a POST whose answer was lost must not be sent again", posts)
		}
		// Running it again, as a user unsure of the outcome would, finds it.
		mustSucceed(t, sh.run(t, "create", "-name=lost1"))
		if names := f.dropletNames(); !slices.Equal(names, []string{"lost1"}) {
			t.Errorf("droplets %v, want exactly [lost1]", names)
		}
		listThenDestroy(t, f, sh, "lost1")
	})
}

// TestCustomImageWithIPv6 boots an imported image with IPv6 on, which
// DigitalOcean refuses: nothing may be made, and the refusal must read as
// one line with the way forward.
func TestCustomImageWithIPv6(t *testing.T) {
	t.Parallel()
	f := startSim(t, dosim.Options{})
	sh := f.shell(t)
	publishLocally(t, sh)
	mustSucceed(t, sh.run(t, "uploadImage", "-file="+imageFile(t)))
	mustFail(t, sh.run(t, "create", "-image="+onlyImage(t, sh)), "422", "-ipv6=false")
	if names := f.dropletNames(); len(names) != 0 {
		t.Errorf("a refused create left droplets %v", names)
	}
}

// listThenDestroy checks that list shows the droplet called name and that
// destroy removes it from the account.
func listThenDestroy(t *testing.T, f *fakeDO, sh *shell, name string) {
	t.Helper()
	r := sh.run(t, "list")
	mustSucceed(t, r)
	if !strings.Contains(r.stdout, name) {
		t.Errorf("%s does not show droplet %s:\n%s", r, name, r.stdout)
	}
	mustSucceed(t, sh.run(t, "destroy", name, "-yes"))
	if names := f.dropletNames(); len(names) != 0 {
		t.Errorf("after destroy the account still has droplets %v", names)
	}
}
