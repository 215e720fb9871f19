package anywhere

import (
	"strconv"

	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
)

// Command returns the argv that installs NixOS on host: the nixos-anywhere
// that flake.lock pins (never an unpinned github: reference), installing the
// flake's nixosConfigurations.digitalocean and logging in as cfg says. It
// runs from the repository root.
//
// --copy-host-keys keeps the host's SSH keys, so the known_hosts entry the
// preflight recorded stays valid and verify can tell the same machine came
// back. It runs on a Nix that has not enabled flakes (runner.Nix), as
// nixos-anywhere does for its own nix calls.
func Command(host string, cfg remote.Config) []string {
	argv := runner.Nix("run", ".#nixos-anywhere", "--",
		"--flake", ".#digitalocean",
		"--target-host", cfg.Login(host),
		"--copy-host-keys",
	)
	if id := cfg.Identity(); id != "" {
		argv = append(argv, "-i", id)
	}
	if cfg.Port != 0 && cfg.Port != 22 {
		argv = append(argv, "--ssh-port", strconv.Itoa(cfg.Port))
	}
	return argv
}
