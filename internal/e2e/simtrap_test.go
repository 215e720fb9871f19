package e2e

import (
	"strconv"
	"strings"
	"testing"

	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
)

// A user who copies only DIGITALOCEAN_API_URL from `mage sim`'s exports
// would wait for SSH on port 22 until the timeout (10 minutes by default)
// while simulated droplets answer on `mage sim`'s port: every target that
// waits for SSH refuses before it makes anything, naming DROPLET_SSH_PORT
// and the value to export.
func TestSimPortTrapRefused(t *testing.T) {
	t.Parallel()
	f := startSim(t, dosim.Options{})
	sh := f.shell(t)
	sh.operator(t) // so that the port is all that is wrong
	sh.unset("DROPLET_SSH_PORT")

	for _, args := range [][]string{
		{"create", "-name=trap1", "-timeout=20s"},
		{"infect", "-name=trap1"},
		{"up", "trap1"},
		{"up", "trap1", "-route=infect", "-dryrun"},
	} {
		before := len(f.Requests())
		r := sh.run(t, args...)
		mustFail(t, r, "DROPLET_SSH_PORT is not set", "export DROPLET_SSH_PORT=2222", "DROPLET_SSH_PORT=22 if")
		if changes := f.changesSince(before); len(changes) > 0 {
			t.Errorf("%s sent DigitalOcean %v before refusing", r, changes)
		}
	}
	if names := f.dropletNames(); len(names) > 0 {
		t.Fatalf("droplets %v were made", names)
	}

	// DROPLET_SSH_PORT=22, set on purpose (an API on this machine whose
	// droplets answer on 22, such as a proxy to DigitalOcean's), is obeyed:
	// the droplet is made and its SSH awaited there.
	sh.set("DROPLET_SSH_PORT", "22")
	r := sh.run(t, "create", "-name=trap22", "-timeout=1s")
	if strings.Contains(r.stderr, "DROPLET_SSH_PORT is not set") {
		t.Errorf("%s refused an explicit DROPLET_SSH_PORT=22:\n%s", r, r.stderr)
	}
	if names := f.dropletNames(); len(names) != 1 || names[0] != "trap22" {
		t.Errorf("%s: the account has droplets %v, want trap22", r, names)
	}

	// With the port exported as `mage sim` prints it, the droplet is made
	// and answers.
	sh.set("DROPLET_SSH_PORT", strconv.Itoa(f.SSHPort))
	mustSucceed(t, sh.run(t, "create", "-name=trap2"))
}
