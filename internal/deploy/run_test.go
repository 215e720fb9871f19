package deploy

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/crypto/ssh"

	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// fleet is a hosts folder whose hosts are real sshds on loopback
// addresses sharing one port, as droplets share port 22.
type fleet struct {
	dir   string
	hosts []hosts.Host
	sshd  map[string]*sshtest.Server
	ssh   remote.Config
	log   *sshtest.Buffer
}

func newFleet(t *testing.T, names ...string) *fleet {
	t.Helper()
	f := &fleet{dir: filepath.Join(t.TempDir(), "hosts"), sshd: map[string]*sshtest.Server{}, log: &sshtest.Buffer{}}
	var first *sshtest.Server
	for i, name := range names {
		var s *sshtest.Server
		if first == nil {
			s = sshtest.Start(t)
			first = s
		} else {
			s = sshtest.StartOn(t, fmt.Sprintf("127.0.0.%d", i+1), first.Port)
			s.Authorize(t, first.ClientKeyFile)
		}
		h, err := hosts.New(name, hosts.Anywhere, s.Host, "25.11")
		if err != nil {
			t.Fatal(err)
		}
		writeEntry(t, f.dir, h, s.HostPublicKey())
		f.hosts = append(f.hosts, h)
		f.sshd[name] = s
	}
	f.ssh = remote.Config{
		User: first.User, Port: first.Port, IdentityFile: first.ClientKeyFile,
		KnownHostsFile: filepath.Join(t.TempDir(), "known_hosts"), Log: f.log,
	}
	return f
}

func writeEntry(t *testing.T, dir string, h hosts.Host, hostKey string) {
	t.Helper()
	e := hosts.Entry{Host: h, Files: []hosts.File{
		{Name: hosts.HostKeyFile, Content: []byte(hostKey + "\n")},
		{Name: hosts.DiskConfigFile, Content: []byte("{ }\n")},
	}}
	if _, err := e.Write(dir); err != nil {
		t.Fatal(err)
	}
}

func (f *fleet) options(r runner.Runner) Options {
	return Options{Dir: f.dir, SSH: f.ssh, Parallel: len(f.hosts), Runner: r, Log: f.log}
}

// fakeDeployRS stands in for nix: the checks pass unless told otherwise,
// and each deploy-rs run logs as deploy-rs does and fails for the hosts in
// fail. Every deploy waits until all expected runs have started, so a run
// that deploys the hosts one after another never gets past the first.
type fakeDeployRS struct {
	fail        map[string]bool
	failChecks  bool
	concurrent  int // deploys that must be running at once before any ends
	startedAll  chan struct{}
	mu          sync.Mutex
	started     int
	calls       [][]string
	envs        map[string][]string // each run's Env, by host ("checks" for the checks)
	checkCalls  int
	deployNames []string
}

func newFake(concurrent int, fail ...string) *fakeDeployRS {
	f := &fakeDeployRS{fail: map[string]bool{}, envs: map[string][]string{}, concurrent: concurrent, startedAll: make(chan struct{})}
	for _, n := range fail {
		f.fail[n] = true
	}
	return f
}

func (f *fakeDeployRS) Run(ctx context.Context, c runner.Command) error {
	argv := append([]string{c.Name}, c.Args...)
	f.mu.Lock()
	f.calls = append(f.calls, argv)
	f.mu.Unlock()
	if slices.Contains(argv, "check") {
		f.mu.Lock()
		f.checkCalls++
		f.envs["checks"] = c.Env
		f.mu.Unlock()
		fmt.Fprintln(c.Stderr, "checking flake output 'deploy'...")
		if f.failChecks {
			fmt.Fprintln(c.Stderr, "error: builder for '/nix/store/…-deploy-rs-check-activate.drv' failed")
			return errors.New("exit status 1")
		}
		return nil
	}
	name := strings.TrimSuffix(strings.TrimPrefix(argv[6], `.#"`), `"`)
	f.mu.Lock()
	f.deployNames = append(f.deployNames, name)
	f.envs[name] = c.Env
	f.started++
	if f.started == f.concurrent {
		close(f.startedAll)
	}
	f.mu.Unlock()
	select {
	case <-f.startedAll:
	case <-time.After(sshtest.HangLimit): // runs one after another end here
		return fmt.Errorf("%s: the other deploys never started alongside", name)
	case <-ctx.Done():
		return ctx.Err()
	}
	fmt.Fprintf(c.Stderr, "🚀 ℹ️ [deploy] [INFO] Activating profile `system` for node `%s`\n", name)
	if f.fail[name] {
		fmt.Fprintf(c.Stderr, "⭐ ❌ [activate] [ERROR] Activation failed, rolling back\n")
		fmt.Fprintf(c.Stderr, "🚀 ❌ [deploy] [\x1b[31mERROR\x1b[0m] Deployment to node %s failed, rolled back to previous generation\n", name)
		return errors.New("exit status 1")
	}
	fmt.Fprintf(c.Stdout, "🚀 ℹ️ [deploy] [INFO] Success activating, done!")
	return nil
}

func TestSeveralHostsDeployIndependentlyWhenOneFails(t *testing.T) {
	f := newFleet(t, "web1", "web2", "web3")
	fake := newFake(3, "web2")
	results, err := Run(context.Background(), f.hosts, f.options(fake))

	var deployErr *Error
	if !errors.As(err, &deployErr) || !cmp.Equal(deployErr.Failed, []string{"web2"}) {
		t.Fatalf("Run error = %v, want one naming web2 alone", err)
	}
	if got := err.Error(); got != "not deployed: web2 (1 of 3 hosts)" {
		t.Errorf("error %q", got)
	}
	want := []Result{
		{Host: "web1", Status: Deployed},
		{Host: "web2", Status: Failed, Detail: "Deployment to node web2 failed, rolled back to previous generation"},
		{Host: "web3", Status: Deployed},
	}
	if diff := cmp.Diff(want, results, cmpopts.IgnoreFields(Result{}, "Took")); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	// One check for all, then one deploy-rs run per host, all at once.
	if fake.checkCalls != 1 || len(fake.deployNames) != 3 {
		t.Errorf("%d check runs and deploys of %v, want 1 and each host once", fake.checkCalls, fake.deployNames)
	}
	log := f.log.String()
	for _, line := range []string{
		"web2 | ⭐ ❌ [activate] [ERROR] Activation failed, rolling back\n",
		"web1 | 🚀 ℹ️ [deploy] [INFO] Success activating, done!\n",
		"checks | checking flake output 'deploy'...\n",
		"web2: FAILED after 0s\n",
	} {
		if !strings.Contains(log, line) {
			t.Errorf("log lacks %q:\n%s", line, log)
		}
	}
	// The preflight recorded each host's key from its entry: nothing was trusted on sight.
	if strings.Contains(log, "trusting new host key") || strings.Count(log, "recorded the one in") != 3 {
		t.Errorf("host keys not taken from the entries:\n%s", log)
	}
}

func TestChangedHostKeyStopsThatHostOnly(t *testing.T) {
	f := newFleet(t, "web1", "web2")
	f.sshd["web2"].RotateHostKey(t) // the entry and known_hosts keep the old key
	fake := newFake(1)
	results, err := Run(context.Background(), f.hosts, f.options(fake))

	var deployErr *Error
	if !errors.As(err, &deployErr) || !cmp.Equal(deployErr.Failed, []string{"web2"}) {
		t.Fatalf("Run error = %v, want one naming web2", err)
	}
	if results[0].Status != Deployed || results[1].Status != Refused {
		t.Errorf("results %+v, want web1 deployed, web2 refused", results)
	}
	if !strings.Contains(results[1].Detail, "the host key of ["+f.sshd["web2"].Host+"]") || !strings.Contains(results[1].Detail, "changed (known_hosts") || !strings.Contains(results[1].Detail, "ssh-keygen -R") {
		t.Errorf("web2's detail %q lacks the tool's explanation of a changed key", results[1].Detail)
	}
	if !cmp.Equal(fake.deployNames, []string{"web1"}) {
		t.Errorf("deploy-rs ran for %v, want web1 only", fake.deployNames)
	}
}

func TestStaleEntryKeyIsRefused(t *testing.T) {
	f := newFleet(t, "web1")
	// known_hosts already trusts the server, but the entry records another key.
	if _, err := remote.KnowHostKey(f.ssh, "127.0.0.1", mustKey(t, f.sshd["web1"].HostPublicKey())); err != nil {
		t.Fatal(err)
	}
	writeEntry(t, f.dir, f.hosts[0], "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl")
	fake := newFake(1)
	results, err := Run(context.Background(), f.hosts, f.options(fake))
	if err == nil || results[0].Status != Refused || !strings.Contains(results[0].Detail, "the host entry is out of date") {
		t.Errorf("Run = %+v, %v; want web1 refused for its stale entry", results, err)
	}
	if len(fake.calls) != 0 {
		t.Errorf("ran %v with no host to deploy", fake.calls)
	}
}

func TestFailedChecksDeployNothing(t *testing.T) {
	f := newFleet(t, "web1", "web2")
	fake := newFake(2)
	fake.failChecks = true
	results, err := Run(context.Background(), f.hosts, f.options(fake))
	if err == nil || len(fake.deployNames) != 0 {
		t.Fatalf("Run = %v after deploying %v; want an error and no deploy", err, fake.deployNames)
	}
	for _, r := range results {
		if r.Status != NotRun || !strings.Contains(r.Detail, "the flake's checks failed") {
			t.Errorf("result %+v", r)
		}
	}
}

func TestSkipChecks(t *testing.T) {
	f := newFleet(t, "web1")
	fake := newFake(1)
	o := f.options(fake)
	o.SkipChecks = true
	if _, err := Run(context.Background(), f.hosts, o); err != nil {
		t.Fatal(err)
	}
	if fake.checkCalls != 0 {
		t.Errorf("checks ran %d times with SkipChecks", fake.checkCalls)
	}
}

func TestUnreachableHostIsRefused(t *testing.T) {
	f := newFleet(t, "web1")
	f.sshd["web1"].Stop(t)
	fake := newFake(1)
	results, err := Run(context.Background(), f.hosts, f.options(fake))
	if err == nil || results[0].Status != Refused || !strings.Contains(results[0].Detail, "connection refused") {
		t.Errorf("Run = %+v, %v", results, err)
	}
}

func mustKey(t *testing.T, line string) ssh.PublicKey {
	t.Helper()
	k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// deploy-rs runs its own nix commands without the flag that turns flakes
// on, so each deploy-rs run gets them through NIX_CONFIG, after the
// operator's own settings; the checks are one nix command with the flag.
func TestDeployRSGetsFlakesThroughNixConfig(t *testing.T) {
	flakes := "NIX_CONFIG=extra-experimental-features = nix-command flakes"
	for _, tc := range []struct {
		name, nixConfig string
		unset           bool
		want            string
	}{
		{name: "unset", unset: true, want: flakes},
		{name: "empty", nixConfig: "", want: flakes},
		{
			name:      "the operator's settings",
			nixConfig: "access-tokens = github.com=ghp_x\nexperimental-features = nix-command\n",
			want:      "NIX_CONFIG=access-tokens = github.com=ghp_x\nexperimental-features = nix-command\nextra-experimental-features = nix-command flakes",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("NIX_CONFIG", tc.nixConfig)
			if tc.unset {
				os.Unsetenv("NIX_CONFIG") // t.Setenv restores it afterwards
			}
			f := newFleet(t, "web1", "web2")
			fake := newFake(2)
			if _, err := Run(context.Background(), f.hosts, f.options(fake)); err != nil {
				t.Fatal(err)
			}
			want := map[string][]string{"checks": nil, "web1": {tc.want}, "web2": {tc.want}}
			if diff := cmp.Diff(want, fake.envs); diff != "" {
				t.Errorf("Env of each run (-want +got):\n%s", diff)
			}
		})
	}
}
