package deploy

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/cmdline"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
)

// execRunner runs nix and deploy-rs for real. Stopping a deploy sends
// SIGTERM to deploy-rs and its ssh and nix processes; a host whose switch
// was not yet confirmed then rolls itself back (magic rollback).
var execRunner = runner.ExecRunner{Stop: syscall.SIGTERM}

// Options say how to deploy.
type Options struct {
	Dir        string        // host folders; "" = hosts.Dir
	SSH        remote.Config // identity and known_hosts, as the rest of the tool uses; Port 0 = 22, where NixOS listens
	Parallel   int           // hosts deployed at once; 0 = 4
	SkipChecks bool          // do not run CheckCommand first
	Runner     runner.Runner // nil = run nix for real, never at this machine (checkTargets)
	Log        io.Writer     // progress, and each host's output with its name in front
}

func (o Options) dir() string { return cmp.Or(o.Dir, hosts.Dir) }

// Commands are the commands Run would run for hs, in order: the checks
// (unless skipped), then one deploy-rs run per host. Those to run for real
// are refused when a host is this machine (checkTargets).
func Commands(hs []hosts.Host, o Options) ([][]string, error) {
	if err := checkTargets(hs, o.dir(), o.Runner); err != nil {
		return nil, err
	}
	var cmds [][]string
	if !o.SkipChecks {
		cmds = append(cmds, CheckCommand())
	}
	for _, h := range hs {
		argv, err := Command(h, o.SSH)
		if err != nil {
			return nil, err
		}
		cmds = append(cmds, argv)
	}
	return cmds, nil
}

// Status is how one host's deploy ended.
type Status string

const (
	Deployed Status = "deployed"
	Failed   Status = "FAILED"  // deploy-rs ran and failed; the host rolled back to what it ran before
	Refused  Status = "refused" // the preflight stopped it; deploy-rs did not run
	NotRun   Status = "not run" // the checks failed, or the run was interrupted first
)

// Result is the outcome for one host.
type Result struct {
	Host   string        `json:"host"`
	Status Status        `json:"result"`
	Took   time.Duration `json:"took_ns"`
	Detail string        `json:"detail"` // why it failed, in one line; "" when deployed
}

// Error is a deploy in which some hosts were not deployed.
type Error struct {
	Failed []string // hosts not deployed, in the order given
	Of     int      // hosts in the deploy
}

func (e *Error) Error() string {
	return fmt.Sprintf("not deployed: %s (%d of %d hosts)", strings.Join(e.Failed, ", "), len(e.Failed), e.Of)
}

// Run deploys hs, each with its own deploy-rs run: several at once,
// independently, so a failing host rolls back alone and the others keep
// their new system. First each host's preflight, then the checks once,
// then the deploys. It returns one Result per host, in the order of hs,
// and an *Error naming the hosts not deployed, if any.
func Run(ctx context.Context, hs []hosts.Host, o Options) ([]Result, error) {
	if len(hs) == 0 {
		return nil, errors.New("no hosts to deploy")
	}
	cmds, err := Commands(hs, o)
	if err != nil {
		return nil, err
	}
	perHost := cmds[len(cmds)-len(hs):]
	deployEnv := []string{"NIX_CONFIG=" + nixConfig(os.Getenv("NIX_CONFIG"))}
	r := o.Runner
	if r == nil {
		r = execRunner
	}
	out := &lockedWriter{w: o.Log}
	results := make([]Result, len(hs))
	for i, h := range hs {
		results[i] = Result{Host: h.Name, Status: NotRun}
	}

	fmt.Fprintf(o.Log, "checking %d host(s) over SSH: %s\n", len(hs), names(hs))
	each(len(hs), o.Parallel, func(i int) {
		start := time.Now()
		if err := preflight(ctx, hs[i], o.dir(), o.SSH, o.Log); err != nil {
			results[i] = Result{Host: hs[i].Name, Status: Refused, Took: time.Since(start), Detail: err.Error()}
			fmt.Fprintf(o.Log, "%s: refused: %v\n", hs[i].Name, err)
		}
	})
	var ready []int
	for i := range hs {
		if results[i].Status == NotRun {
			ready = append(ready, i)
		}
	}

	if len(ready) > 0 && !o.SkipChecks {
		fmt.Fprintf(o.Log, "running the flake's checks once for all hosts: %s\n", runner.CommandLine(cmds[0]))
		p := newPrefixer(out, "checks")
		err := r.Run(ctx, runner.Command{Name: cmds[0][0], Args: cmds[0][1:], Stdout: p, Stderr: p})
		p.flush()
		if err != nil {
			if errors.Is(err, exec.ErrNotFound) {
				return results, fmt.Errorf("run %s: %w; install Nix 2.18 or newer, or run inside `nix develop`", cmds[0][0], err)
			}
			for _, i := range ready {
				results[i].Detail = fmt.Sprintf("the flake's checks failed (%v)", cmp.Or(ctx.Err(), err))
			}
			ready = nil
		}
	}

	fmt.Fprintf(o.Log, "deploying %d host(s), at most %d at a time, each rolling back by itself if it fails\n", len(ready), Workers(o.Parallel))
	each(len(ready), o.Parallel, func(k int) {
		i := ready[k]
		if ctx.Err() != nil {
			results[i].Detail = "interrupted before its turn"
			return
		}
		argv := perHost[i]
		p := newPrefixer(out, hs[i].Name)
		start := time.Now()
		err := r.Run(ctx, runner.Command{Name: argv[0], Args: argv[1:], Env: deployEnv, Stdout: p, Stderr: p})
		p.flush()
		results[i].Took = time.Since(start)
		switch {
		case err == nil:
			results[i].Status = Deployed
		case ctx.Err() != nil:
			results[i].Status = Failed
			results[i].Detail = "interrupted; unless its switch was confirmed, the host rolls itself back"
		default:
			results[i].Status = Failed
			results[i].Detail = cmp.Or(p.errorMessage(), fmt.Sprintf("deploy-rs: %v", err))
		}
		fmt.Fprintf(o.Log, "%s: %s after %s\n", hs[i].Name, results[i].Status, cmdline.Format(results[i].Took.Round(time.Second)))
	})

	var failed []string
	for _, res := range results {
		if res.Status != Deployed {
			failed = append(failed, res.Host)
		}
	}
	if len(failed) > 0 {
		return results, &Error{Failed: failed, Of: len(hs)}
	}
	return results, nil
}

// Workers is how many hosts Options.Parallel n deploys at once.
func Workers(n int) int { return cmp.Or(max(n, 0), DefaultWorkers) }

// DefaultWorkers is how many hosts are deployed at once unless told otherwise.
const DefaultWorkers = 4

// each calls f(0) … f(n-1), at most limit (0 = 4) at once, and returns
// when all have returned.
func each(n, limit int, f func(int)) {
	sem := make(chan struct{}, Workers(limit))
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			f(i)
		}()
	}
	wg.Wait()
}

func names(hs []hosts.Host) string {
	s := make([]string, len(hs))
	for i, h := range hs {
		s[i] = h.Name
	}
	return strings.Join(s, ", ")
}
