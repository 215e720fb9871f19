package images

import (
	"syscall"

	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
)

// execRunner runs nix and rsync for real. Stopping interrupts them rather
// than terminating them, so rsync can keep its partial upload for the next
// run (--partial) and nix can stop its builders cleanly. They stay on the
// terminal so the operator's ssh to the static host can prompt as usual.
var execRunner = runner.ExecRunner{Stop: syscall.SIGINT, Interactive: true}
