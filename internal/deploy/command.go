// Package deploy brings the hosts in hosts/ to what the flake says, by
// handing each to the deploy-rs that flake.lock pins: one deploy-rs run per
// host, several hosts at once, each with magic rollback, after a host-key
// check of our own.
package deploy

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
)

// flakesSetting turns flakes on in nix.conf's syntax.
const flakesSetting = "extra-experimental-features = nix-command flakes"

// nixConfig is the NIX_CONFIG that deploy-rs runs with, given the
// operator's own (empty when unset): that one's lines, which stay in force,
// then flakesSetting. The flag in Command reaches only the outer `nix run`;
// deploy-rs (src/cli.rs at the pin) decides whether Nix has flakes by
// running `nix eval --expr builtins.getFlake` with no flag and, when that
// fails, evaluates `import ./.` with nix-instantiate (this repository has no
// default.nix); its `nix build` and `nix copy` (src/push.rs) pass no flag
// either. Nix reads NIX_CONFIG, one setting per line, in every nix process
// deploy-rs starts.
func nixConfig(current string) string {
	if current = strings.TrimRight(current, "\n"); current == "" {
		return flakesSetting
	}
	return current + "\n" + flakesSetting
}

// CheckCommand is the check deploy-rs runs before each deploy unless told
// to skip it (`nix flake check` on the flake; its checks include
// deploy-rs's deployChecks): run once for all hosts instead of once per
// deploy-rs run.
func CheckCommand() []string {
	return runner.Nix("flake", "check")
}

// Command returns the argv that deploys h with the pinned deploy-rs from
// the repository root: magic rollback on (the host rolls back unless the
// deployer reaches it over a new SSH connection after the switch) and
// auto rollback on (a failed activation rolls back), logging in as cfg
// says and checking host keys with cfg's known_hosts, never trusting a new
// key (the preflight records the host entry's key first). The checks are
// skipped here because CheckCommand ran them.
func Command(h hosts.Host, cfg remote.Config) ([]string, error) {
	opts, err := sshOpts(cfg)
	if err != nil {
		return nil, err
	}
	argv := runner.Nix("run", ".#deploy-rs", "--",
		// Quoted: deploy-rs reads the fragment as Nix, where a name such
		// as test2.example.com would otherwise be a node and a profile.
		`.#"`+h.Name+`"`,
		"--skip-checks",
		"--magic-rollback", "true",
		"--auto-rollback", "true",
		"--ssh-opts", strings.Join(opts, " "),
	)
	if cfg.User != "" && cfg.User != "root" {
		argv = append(argv, "--ssh-user", cfg.User)
	}
	return argv, nil
}

// sshOpts are the options deploy-rs gives ssh (and nix copy, through
// NIX_SSHOPTS). deploy-rs splits them at spaces, so a path with a space
// cannot pass.
func sshOpts(cfg remote.Config) ([]string, error) {
	knownHosts, err := cfg.KnownHosts()
	if err != nil {
		return nil, err
	}
	for what, path := range map[string]string{"known_hosts file": knownHosts, "identity file": cfg.Identity()} {
		if strings.ContainsAny(path, " \t\n") {
			return nil, fmt.Errorf("%s %q has a space, and deploy-rs splits its ssh options at spaces: move it to a path without one", what, path)
		}
	}
	opts := []string{
		"-o", "UserKnownHostsFile=" + knownHosts,
		"-o", "StrictHostKeyChecking=yes",
		// As remote.Dial: give up on a silent host rather than hang.
		"-o", "ConnectTimeout=15",
		"-o", "ServerAliveInterval=15",
		"-o", "ServerAliveCountMax=3",
	}
	if id := cfg.Identity(); id != "" {
		opts = append(opts, "-i", id, "-o", "IdentitiesOnly=yes")
	}
	if cfg.Port != 0 && cfg.Port != 22 {
		opts = append(opts, "-p", strconv.Itoa(cfg.Port))
	}
	return opts, nil
}
