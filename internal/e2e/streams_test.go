package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
)

// TestStreamsAndExitCodes checks that data goes to stdout and progress to
// stderr, so `mage list -json | jq` sees only data and a user piping a table
// still sees the progress, and that exit codes tell success (0), a failed
// target (1) and a command line mage could not parse (2) apart.
func TestStreamsAndExitCodes(t *testing.T) {
	t.Parallel()
	f := startSim(t, dosim.Options{})
	sh := f.shell(t)
	// out and errOut check one run: each string must be on the one stream
	// and not on the other.
	check := func(r result, code int, out, errOut []string) {
		t.Helper()
		if r.code != code {
			t.Errorf("%s exited %d, want %d\nstderr:\n%s", r, r.code, code, r.stderr)
		}
		for _, s := range out {
			if !strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s) {
				t.Errorf("%s: want %q on stdout only\nstdout:\n%s\nstderr:\n%s", r, s, r.stdout, r.stderr)
			}
		}
		for _, s := range errOut {
			if !strings.Contains(r.stderr, s) || strings.Contains(r.stdout, s) {
				t.Errorf("%s: want %q on stderr only\nstdout:\n%s\nstderr:\n%s", r, s, r.stdout, r.stderr)
			}
		}
	}
	isJSON := func(r result) {
		t.Helper()
		if !json.Valid([]byte(r.stdout)) {
			t.Errorf("%s: stdout is not JSON alone:\n%s", r, r.stdout)
		}
	}

	check(sh.run(t, "sizes"), 0, []string{"s-1vcpu-2gb", "Price Monthly"}, []string{"sizes offered in sfo3"})
	r := sh.run(t, "create", "-json")
	check(r, 0, []string{`"name": "nixos-1"`}, []string{"created droplet nixos-1", "answers SSH"})
	isJSON(r)
	check(sh.run(t, "create"), 0, []string{"Public IPv4"}, []string{"already exists", "next: mage anywhere"})
	r = sh.run(t, "list", "-json")
	check(r, 0, []string{`"name": "nixos-1"`}, nil)
	isJSON(r)
	check(sh.run(t, "destroy", "nixos-1", "-yes"), 0, []string{"destroyed droplet nixos-1"}, nil)

	r = sh.run(t, "destroy", "nixos-1", "-yes")
	check(r, 1, nil, []string{`Error: no droplet named "nixos-1"`})
	if r.stdout != "" {
		t.Errorf("%s failed but printed data:\n%s", r, r.stdout)
	}
	check(sh.run(t, "create", "-ipv6=maybe"), 2, nil, []string{"Error: -ipv6=maybe is not true or false"})
}
