package verify

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/cmdline"
	"github.com/Gleipnir-Technology/nixos-systems/internal/problem"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
)

// ErrDegraded is an installed system that runs with failed units.
var ErrDegraded = problem.NewKind("units failed")

// BootWait is how long the "units" check waits for the boot to finish
// after SSH answers: the ssh unit starts long before cloud-init's last
// stage has run.
const BootWait = 2 * time.Minute

// unitsCommand prints systemd's state once the boot has finished, on a
// line "state: …" (empty if the boot has not finished within wait), then
// the failed units, one a line.
func unitsCommand(wait time.Duration) string {
	return `printf 'state: %s\n' "$(timeout ` + strconv.FormatFloat(wait.Seconds(), 'f', -1, 64) +
		` systemctl is-system-running --wait 2>/dev/null)"; ` +
		`systemctl list-units --state=failed --plain --no-legend --no-pager 2>/dev/null; true`
}

// checkUnits asks systemd how the boot went, or reads its answer from
// path, a file of what unitsCommand prints, when path is not "". A system
// that is up but not "running" is a warning, not a failure: it answers SSH
// with its host key, runs NixOS and holds its addresses, so the route goes
// on and records the host, through which the fix is deployed.
func checkUnits(ctx context.Context, c *remote.Client, path string) Check {
	cmd := unitsCommand(BootWait)
	if path != "" {
		cmd = "cat " + remote.ShellQuote(path)
	}
	out, err := c.Output(ctx, cmd)
	if err != nil {
		return Warn("units", fmt.Errorf("ask systemd how the boot went: %w", err))
	}
	state, failed := parseUnits(out)
	switch {
	case state == "running" && len(failed) == 0:
		return Pass("units", "running: the boot finished and no unit failed")
	case len(failed) > 0:
		u := failed[0]
		return Warn("units", ErrDegraded.Errorf("%s, failed: %s; `systemctl status %s` and `journalctl -b -u %s` on the droplet say why",
			cmp.Or(state, "boot unfinished"), strings.Join(failed, ", "), u, u))
	case state == "":
		return Warn("units", fmt.Errorf("the boot had not finished %s after SSH answered (`systemctl list-jobs` on the droplet shows what it waits for), and no unit has failed", cmdline.Format(BootWait)))
	}
	return Warn("units", fmt.Errorf("systemd says %q (`systemctl is-system-running`), and no unit has failed", state))
}

// parseUnits reads what unitsCommand prints: the state from its line
// (empty when the wait ran out), and the failed units, the first word of
// each other line.
func parseUnits(out []byte) (state string, failed []string) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if s, ok := strings.CutPrefix(line, "state:"); ok {
			state = strings.TrimSpace(s)
		} else if fields := strings.Fields(line); len(fields) > 0 {
			failed = append(failed, fields[0])
		}
	}
	return state, failed
}
