package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// deploySetup is a hosts folder whose hosts all lead to one real sshd, and
// settings that log in to it.
type deploySetup struct {
	*testEnv
	sshd *sshtest.Server
	opts DeployOptions
}

func newDeploySetup(t *testing.T, names ...string) *deploySetup {
	t.Helper()
	s := sshtest.Start(t)
	te := newTestEnv(t, fastSim)
	te.Settings.SSHIdentity = s.ClientKeyFile
	te.Settings.KnownHosts = filepath.Join(t.TempDir(), "known_hosts")
	te.Settings.SSHUser = s.User
	d := &deploySetup{testEnv: te, sshd: s, opts: DeployOptions{
		KeysFile: sshtest.TempFile(t, "authorized_keys", sshtest.AuthorizedKey(t, s.ClientKeyFile)+"\n"),
		Port:     s.Port,
	}}
	for _, name := range names {
		h, err := hosts.New(name, hosts.Anywhere, s.Host, "25.11")
		if err != nil {
			t.Fatal(err)
		}
		e := hosts.Entry{Host: h, Files: []hosts.File{
			{Name: hosts.HostKeyFile, Content: []byte(s.HostPublicKey() + "\n")},
			{Name: hosts.DiskConfigFile, Content: []byte("{ }\n")},
		}}
		if _, err := e.Write(te.HostsDir); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// deployRunner fails the deploy-rs runs of the hosts named in fail, as
// deploy-rs does after rolling the host back, and records what it ran.
type deployRunner struct {
	fail map[string]bool
	mu   sync.Mutex
	ran  []string
}

func (r *deployRunner) Run(_ context.Context, c runner.Command) error {
	line := runner.CommandLine(append([]string{c.Name}, c.Args...))
	r.mu.Lock()
	r.ran = append(r.ran, line)
	r.mu.Unlock()
	for name := range r.fail {
		if strings.Contains(line, `.#"`+name+`"`) {
			fmt.Fprintf(c.Stderr, "🚀 ❌ [deploy] [ERROR] Deployment to node %s failed, rolled back to previous generation\n", name)
			return errors.New("exit status 1")
		}
	}
	return nil
}

func TestDeploySummaryNamesTheFailedHost(t *testing.T) {
	d := newDeploySetup(t, "web1", "web2", "web3")
	r := &deployRunner{fail: map[string]bool{"web2": true}}
	d.opts.Runner = r
	err := Deploy(context.Background(), d.Env, d.opts)

	if err == nil || !strings.HasPrefix(err.Error(), "deploy: not deployed: web2 (1 of 3 hosts); ") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("error = %v, want one line naming web2", err)
	}
	rows := strings.Split(strings.TrimSpace(d.Stdout.String()), "\n")
	if len(rows) != 4 || !strings.HasPrefix(rows[0], "Host ") {
		t.Fatalf("stdout is not a table of 3 hosts:\n%s", d.Stdout)
	}
	for i, want := range []string{"web1   deployed", "web2   FAILED     0s     Deployment to node web2 failed, rolled back", "web3   deployed"} {
		if !strings.HasPrefix(rows[i+1], want) {
			t.Errorf("row %d = %q, want it to start %q", i+1, rows[i+1], want)
		}
	}
	if len(r.ran) != 4 || !strings.Contains(r.ran[0], "flake check") {
		t.Errorf("ran %v, want the checks and 3 deploys", r.ran)
	}
	if !strings.Contains(d.Stderr.String(), "web2 | 🚀 ❌ [deploy] [ERROR] Deployment to node web2 failed") {
		t.Errorf("stderr lacks web2's own lines:\n%s", d.Stderr)
	}
}

func TestDeployDryRunPrintsTheCommands(t *testing.T) {
	d := newDeploySetup(t, "web1", "web2")
	d.opts.Runner = neverRun{t}
	d.opts.DryRun = true
	d.opts.Hosts = "web2"
	if err := Deploy(context.Background(), d.Env, d.opts); err != nil {
		t.Fatal(err)
	}
	kh := d.Settings.KnownHosts
	want := "commands (not run: -dryrun), the checks once, then one deploy-rs run per host, 1 at a time, " +
		"each with `extra-experimental-features = nix-command flakes` added to NIX_CONFIG for the nix commands deploy-rs runs:\n" +
		"  nix --extra-experimental-features 'nix-command flakes' flake check\n" +
		"  nix --extra-experimental-features 'nix-command flakes' run .#deploy-rs -- '.#\"web2\"' --skip-checks --magic-rollback true --auto-rollback true" +
		" --ssh-opts '-o UserKnownHostsFile=" + kh + " -o StrictHostKeyChecking=yes -o ConnectTimeout=15 -o ServerAliveInterval=15 -o ServerAliveCountMax=3" +
		" -i " + d.sshd.ClientKeyFile + " -o IdentitiesOnly=yes -p " + fmt.Sprint(d.sshd.Port) + "'" + userOpt(d.sshd.User) + "\n"
	if got := d.Stdout.String(); got != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", got, want)
	}
}

// userOpt is the --ssh-user deploy-rs gets when the tests do not log in as root.
func userOpt(user string) string {
	if user == "root" {
		return ""
	}
	return " --ssh-user " + user
}

func TestDeployRefusesBeforeRunningAnything(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(d *deploySetup)
		want   string
	}{
		{"unknown host", func(d *deploySetup) { d.opts.Hosts = "web1,web9" }, `"web9" is not a host (hosts: web1, web2): name hosts of hosts/ in -hosts`},
		{"no hosts", func(d *deploySetup) { d.HostsDir = t.TempDir() }, "no hosts in "},
		{"operator's key not in authorized_keys", func(d *deploySetup) {
			d.opts.KeysFile = sshtest.TempFile(t, "authorized_keys", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl other@host\n")
		}, "so root would refuse you once the machine runs this repository's configuration"},
		{"known_hosts path with a space", func(d *deploySetup) {
			d.Settings.KnownHosts = filepath.Join(t.TempDir(), "my hosts")
		}, "splits its ssh options at spaces"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDeploySetup(t, "web1", "web2")
			d.opts.Runner = neverRun{t}
			tc.mutate(d)
			err := Deploy(context.Background(), d.Env, d.opts)
			want := tc.want
			if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error = %v, want one line containing %q", err, want)
			}
			if d.Stdout.Len() != 0 {
				t.Errorf("stdout: %s", d.Stdout)
			}
		})
	}
}
