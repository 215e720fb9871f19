package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/anywhere"
	"github.com/Gleipnir-Technology/nixos-systems/internal/deploy"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

// DeployOptions are the flags of `mage deploy`, and what tests replace.
type DeployOptions struct {
	Hosts      string        // comma-separated host names; "" = every host
	DryRun     bool          // print the commands, run nothing
	Parallel   int           // hosts deployed at once; 0 = 4
	SkipChecks bool          // skip the flake's checks
	Runner     runner.Runner // nil = run nix and deploy-rs for real
	Host       HostFiles     // where the host entries are; zero = hosts/
	KeysFile   string        // root's authorized keys; "" = authkeys.File
	Port       int           // SSH port of the hosts; 0 = 22, where NixOS listens
	SSHUser    string        // "" = root
}

// Deploy brings the hosts named in o.Hosts (every host in hosts/ when
// none is named) to what the flake says, one pinned deploy-rs run per host,
// several at once, each with magic rollback. It prints a summary table
// (host, result, time) on e.Out and everything else on e.Err, and fails
// naming the hosts that were not deployed.
func Deploy(ctx context.Context, e *Env, o DeployOptions) error {
	all, err := hosts.Load(o.Host.dir())
	if err != nil {
		return err
	}
	if len(all) == 0 {
		return fmt.Errorf("no hosts in %s/ yet: `mage anywhere` and `mage infect` write one for each droplet they install", o.Host.dir())
	}
	var names []string
	for _, n := range strings.Split(o.Hosts, ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	selected, err := hosts.Select(all, names)
	var unknown *hosts.UnknownError
	switch {
	case errors.As(err, &unknown):
		return fmt.Errorf("%w: name folders of %s/ in -hosts, or leave it out to deploy them all; `mage anywhere` and `mage infect` add hosts", err, o.Host.dir())
	case err != nil:
		return err
	}

	cfg, err := e.SSHConfig(o.SSHUser)
	if err != nil {
		return err
	}
	// The installed NixOS listens on 22, whatever port the droplet had before.
	cfg.Port = o.Port
	dopts := deploy.Options{Dir: o.Host.dir(), SSH: cfg, Parallel: o.Parallel, SkipChecks: o.SkipChecks, Runner: o.Runner, Log: e.Err}

	if o.DryRun {
		cmds, err := deploy.Commands(selected, dopts)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Out, "commands (not run: -dryrun), the checks once, then one deploy-rs run per host, %d at a time:\n", min(len(selected), deploy.Workers(o.Parallel)))
		for _, c := range cmds {
			fmt.Fprintf(e.Out, "  %s\n", runner.CommandLine(c))
		}
		return nil
	}

	// Every host gets root's keys from this one file: a deploy without
	// yours in it would lock you out (magic rollback would undo it, but
	// only after the timeout, host by host).
	if c := anywhere.CheckAuthorizedKeys(o.KeysFile, cfg); c.Status != verify.OK {
		return c.Err
	}

	results, err := deploy.Run(ctx, selected, dopts)
	if werr := writeDeployResults(e.Out, results); werr != nil {
		return errors.Join(err, werr)
	}
	var failed *deploy.Error
	if errors.As(err, &failed) {
		return fmt.Errorf("%w; each failed host runs the system it ran before (deploy-rs rolled it back), and the others keep the new one: see each host's lines above", err)
	}
	return err
}

// writeDeployResults prints the summary table of a deploy.
func writeDeployResults(w io.Writer, results []deploy.Result) error {
	if len(results) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	fmt.Fprintln(tw, "Host\tResult\tTime\tDetail")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Host, r.Status, r.Took.Round(time.Second), r.Detail)
	}
	return tw.Flush()
}
