package verify

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeSystemctl answers as systemctl does for the two questions
// unitsCommand asks, from STUB_STATE and STUB_FAILED; with STUB_HANG the
// boot never finishes. Any other question fails.
const fakeSystemctl = `#!/bin/sh
case "$*" in
"is-system-running --wait")
  if [ -n "${STUB_HANG-}" ]; then exec sleep 600; fi
  echo "$STUB_STATE"
  [ "$STUB_STATE" = running ] ;;
"list-units --state=failed --plain --no-legend --no-pager")
  printf '%s' "${STUB_FAILED-}"
  [ -z "${STUB_FAILED-}" ] ;;
*) echo "unexpected: systemctl $*" >&2; exit 9 ;;
esac
`

// unitsCommand, run by a shell with systemctl answering as a booted NixOS
// would, prints what parseUnits reads back as the state and failed units.
func TestUnitsCommandAsksSystemd(t *testing.T) {
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "systemctl"), []byte(fakeSystemctl), 0o755); err != nil {
		t.Fatal(err)
	}
	growpart := "growpart.service loaded failed failed Grow the root partition\n"
	for _, tc := range []struct {
		name       string
		env        []string
		wantState  string
		wantFailed []string
	}{
		{"running", []string{"STUB_STATE=running"}, "running", nil},
		{"degraded", []string{"STUB_STATE=degraded", "STUB_FAILED=" + growpart + "cloud-final.service loaded failed failed Cloud-init final stage\n"},
			"degraded", []string{"growpart.service", "cloud-final.service"}},
		{"the boot never finishes", []string{"STUB_HANG=1", "STUB_FAILED=" + growpart}, "", []string{"growpart.service"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A short wait: the boot that never finishes is cut off after it.
			cmd := exec.Command("sh", "-c", unitsCommand(200*time.Millisecond))
			cmd.Env = append(os.Environ(), append(tc.env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))...)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			state, failed := parseUnits(out)
			if state != tc.wantState {
				t.Errorf("state %q, want %q (output %q)", state, tc.wantState, out)
			}
			if diff := cmp.Diff(tc.wantFailed, failed); diff != "" {
				t.Errorf("failed units (-want +got):\n%s", diff)
			}
		})
	}
}
