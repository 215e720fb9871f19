package e2e

import (
	"strconv"
	"strings"
	"testing"

	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
)

// A user who copies only DIGITALOCEAN_API_URL from `mage sim`'s exports
// would wait for SSH on port 22 until the timeout; the trap is named before
// the droplet is even made.
func TestSimPortTrapNamed(t *testing.T) {
	t.Parallel()
	f := startSim(t, dosim.Options{})
	sh := f.shell(t)
	sh.unset("DROPLET_SSH_PORT")

	r := sh.run(t, "create", "-name=trap1", "-timeout=1s")

	mustFail(t, r, "no SSH after 1s")
	warning := strings.Index(r.stderr, "warning: DIGITALOCEAN_API_URL is on this machine, as `mage sim`'s is, but DROPLET_SSH_PORT is not set, so SSH is awaited on port 22")
	created := strings.Index(r.stderr, "created droplet trap1")
	if warning < 0 || created < 0 || warning > created {
		t.Errorf("%s: want the warning, naming DROPLET_SSH_PORT, before the droplet is made:\n%s", r, r.stderr)
	}
	if !strings.Contains(r.stderr, "export DROPLET_SSH_PORT=2222") {
		t.Errorf("%s: the warning does not say what to export:\n%s", r, r.stderr)
	}

	// With the port exported as `mage sim` prints it, nothing is said.
	sh.set("DROPLET_SSH_PORT", strconv.Itoa(f.SSHPort))
	r = sh.run(t, "create", "-name=trap2")
	mustSucceed(t, r)
	if strings.Contains(r.stderr, "warning: DIGITALOCEAN_API_URL") {
		t.Errorf("%s warned with DROPLET_SSH_PORT set:\n%s", r, r.stderr)
	}
}
