package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/Gleipnir-Technology/nixos-systems/internal/anywhere"
	"github.com/Gleipnir-Technology/nixos-systems/internal/deploy"
	"github.com/Gleipnir-Technology/nixos-systems/internal/display"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hints"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

// DeployOptions are the flags of `mage deploy`, and what tests replace.
type DeployOptions struct {
	Hosts      string        // comma-separated host names; "" = every host
	DryRun     bool          // print the commands, run nothing
	Parallel   int           // hosts deployed at once; 0 = deploy.DefaultWorkers
	SkipChecks bool          // skip the flake's checks
	Runner     runner.Runner // nil = run nix and deploy-rs for real, never at this machine (deploy.Commands)
	KeysFile   string        // root's authorized keys; "" = authkeys.File
	Port       int           // SSH port of the hosts; 0 = 22, where NixOS listens
}

// checkHostNames checks deploy's -hosts as typed: host names, separated by
// commas, none of them empty.
func checkHostNames(list string) error {
	for _, n := range strings.Split(list, ",") {
		if n = strings.TrimSpace(n); n == "" {
			return fmt.Errorf("%q names an empty host: two commas in a row, or one at an end", list)
		}
		if err := hosts.CheckName(n); err != nil {
			return err
		}
	}
	return nil
}

// Deploy brings the hosts named in o.Hosts (every host in hosts/ when
// none is named) to what the flake says, one pinned deploy-rs run per host,
// several at once, each with magic rollback. It prints a summary table
// (host, result, time) on e.Out and everything else on e.Err, and fails
// naming the hosts that were not deployed.
func Deploy(ctx context.Context, e *Env, o DeployOptions) (err error) {
	defer explain(&err)
	all, err := hosts.Load(e.hostsDir())
	if err != nil {
		return err
	}
	if len(all) == 0 {
		return hints.NoHosts(e.hostsDir())
	}
	var names []string
	for _, n := range strings.Split(o.Hosts, ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	selected, err := hosts.Select(all, names)
	if err != nil {
		return err
	}
	if u := hosts.Untracked(e.hostsDir(), selected); len(u) > 0 {
		return fmt.Errorf("%s: not in git, so the flake cannot see it: `git add %s/%s` (and commit) first", strings.Join(u, ", "), e.hostsDir(), u[0])
	}

	cfg, err := e.SSHConfig()
	if err != nil {
		return err
	}
	// The installed NixOS listens on 22, whatever port the droplet had before.
	cfg.Port = o.Port
	dopts := deploy.Options{Dir: e.hostsDir(), SSH: cfg, Parallel: o.Parallel, SkipChecks: o.SkipChecks, Runner: o.Runner, Log: e.Err}

	if o.DryRun {
		cmds, err := deploy.Commands(selected, dopts)
		if err != nil {
			return err
		}
		return e.print(false, display.Commands(hints.DeployDryRun(min(len(selected), deploy.Workers(o.Parallel))), cmds, runner.CommandLine))
	}

	// Every host gets root's keys from this one file: a deploy without
	// yours in it would lock you out (magic rollback would undo it, but
	// only after its timeout, host by host).
	if c := anywhere.CheckAuthorizedKeys(o.KeysFile, cfg); c.Status != verify.OK {
		return c.Err
	}

	results, err := deploy.Run(ctx, selected, dopts)
	if len(results) > 0 {
		if werr := e.print(false, display.Deploys(results)); werr != nil {
			return errors.Join(err, werr)
		}
	}
	if err != nil {
		return fmt.Errorf("deploy: %w", err)
	}
	return nil
}
