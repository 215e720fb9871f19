package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/infect"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

const testKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPf854pn1A6qWAr4nvVqn8FbFNCz1f4SK9QLFgv3GGAz alice@laptop"

// infectTest is a simulated account whose droplets' SSH reaches a real sshd
// on loopback, where temporary files stand for the install's traces.
type infectTest struct {
	*testEnv
	t      *testing.T
	srv    *sshtest.Server
	stderr *sshtest.Buffer
	opts   InfectOptions
}

func newInfectTest(t *testing.T) *infectTest {
	t.Helper()
	te, srv := newSSHEnv(t, fastSim)
	stderr := &sshtest.Buffer{}
	te.Err, te.Wait.Log = stderr, stderr

	dir := t.TempDir()
	it := &infectTest{testEnv: te, t: t, srv: srv, stderr: stderr, opts: InfectOptions{
		// The simulator's IPv6 addresses are not on this machine, so verify could not find them.
		Overrides: Overrides{IPv6: ptr(false)},
		Template:  filepath.Join("..", "..", infect.TemplateFile),
		KeysFile:  filepath.Join(dir, "authorized_keys"),
		Paths:     infect.DefaultPaths().Under(dir),
		Units:     filepath.Join(dir, "units"),
		LogDir:    t.TempDir(),
		Install:   30 * time.Second,
		Reboot:    10 * time.Second,
		Poll:      20 * time.Millisecond,
	}}
	sshtest.WriteFile(it.t, it.opts.KeysFile, "# operators\n"+testKey+"\n")
	sshtest.WriteFile(it.t, it.opts.Paths.OSRelease, "ID=debian\n")
	sshtest.WriteFile(it.t, it.opts.Units, bootedUnits)
	it.opts.Host = dropletHostFiles(t, srv, dir)
	return it
}

func (it *infectTest) appendLog(s string) {
	it.t.Helper()
	sshtest.AppendFile(it.t, it.opts.Paths.Log, s)
}

// createRequest returns the body of the one droplet create the simulator saw.
func (it *infectTest) createRequest() map[string]any {
	it.t.Helper()
	var bodies []map[string]any
	for _, r := range it.Sim.Requests() {
		if r.Method == "POST" && r.Path == "/v2/droplets" {
			var body map[string]any
			if err := json.Unmarshal(r.Body, &body); err != nil {
				it.t.Fatalf("create request body: %v", err)
			}
			bodies = append(bodies, body)
		}
	}
	if len(bodies) != 1 {
		it.t.Fatalf("%d droplet create requests, want 1", len(bodies))
	}
	return bodies[0]
}

func TestInfectEndToEnd(t *testing.T) {
	it := newInfectTest(t)
	p := it.opts.Paths
	sshtest.WriteFile(it.t, p.Status, "running\n")
	it.appendLog("nixos-systems: downloading nixos-infect\n")

	done := make(chan error, 1)
	go func() { done <- Infect(context.Background(), it.Env, it.opts) }()

	name := it.Settings.Name
	it.stderr.WaitFor(t, name+": nixos-systems: downloading nixos-infect\n")
	it.appendLog("building the system configuration...\n")
	it.stderr.WaitFor(t, name+": building the system configuration...\n")
	sshtest.WriteFile(it.t, p.Status, "done\n")
	it.stderr.WaitFor(t, "nixos-infect done")
	// The reboot into NixOS.
	it.srv.Stop(t)
	it.stderr.WaitFor(t, "the droplet is rebooting into NixOS")
	it.appendLog("nixos-systems: nixos-infect finished\n")
	sshtest.WriteFile(it.t, p.OSRelease, "PRETTY_NAME=\"NixOS 25.11 (Xantusia)\"\nID=nixos\n")
	it.srv.Restart(t)

	if err := <-done; err != nil {
		t.Fatalf("Infect: %v\nstderr:\n%s", err, it.stderr)
	}

	body := it.createRequest()
	ud, _ := body["user_data"].(string)
	for _, want := range []string{"#cloud-config\n", "PROVIDER=digitalocean", "NIX_CHANNEL=" + it.Settings.InfectChannel, infect.Commit, infect.ScriptSHA256, testKey, p.Log} {
		if !strings.Contains(ud, want) {
			t.Errorf("user_data of the create request lacks %q:\n%s", want, ud)
		}
	}
	if body["size"] != it.Settings.InfectSize {
		t.Errorf("size %v, want INFECT_SIZE %s", body["size"], it.Settings.InfectSize)
	}

	ip, _ := it.Sim.Droplets()[0].PublicIPv4()
	out := it.Stdout.String()
	for _, want := range []string{"verify " + ip + ":", "nixos:", "NixOS 25.11 (Xantusia)", "ipv4:", ip + " on lo", name} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "FAILED") {
		t.Errorf("a check failed:\n%s", out)
	}
	stderr := it.stderr.String()
	for _, want := range []string{"user data: ", "answers SSH again", name + ": nixos-systems: nixos-infect finished\n", "runs NixOS: ssh " + it.srv.User + "@" + ip} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if n := strings.Count(stderr, name+": nixos-systems: downloading nixos-infect\n"); n != 1 {
		t.Errorf("the first log line was shown %d times, want once:\n%s", n, stderr)
	}

	// The droplet is now a host of the repository, to commit.
	wantHostEntry(t, it.HostsDir, it.srv, name, hosts.Infect, ip)
	for _, want := range []string{"wrote the host entry " + filepath.Join(it.HostsDir, name), "git add ", hosts.NetworkingFile} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestInfectFailureCopiesLogs(t *testing.T) {
	it := newInfectTest(t)
	p := it.opts.Paths
	sshtest.WriteFile(it.t, p.Status, "failed nixos-infect exited 1\n")
	it.appendLog("error: unable to download 'https://nixos.org/channels/nixos-25.11': HTTP error 404\n")
	sshtest.WriteFile(it.t, p.CloudInitOutput, "Cloud-init v. 22.4.2 running 'modules:final'\n")
	sshtest.WriteFile(it.t, filepath.Join(p.OldRoot, p.CloudInit), "an earlier boot's cloud-init.log\n")

	err := Infect(context.Background(), it.Env, it.opts)
	if err == nil || !strings.Contains(err.Error(), "nixos-infect failed: nixos-infect exited 1") {
		t.Fatalf("err = %v, want the droplet's reason", err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("not one line: %q", err)
	}
	files, _ := filepath.Glob(filepath.Join(it.opts.LogDir, "infect-"+it.Settings.Name+"-*.log"))
	if len(files) != 1 {
		t.Fatalf("log files %v, want one infect-%s-<time>.log\nstderr:\n%s", files, it.Settings.Name, it.stderr)
	}
	for _, want := range []string{"logs in " + files[0], "mage destroy " + it.Settings.Name} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	data, _ := os.ReadFile(files[0])
	for _, want := range []string{
		"HTTP error 404",
		"===== " + p.CloudInitOutput + " =====\nCloud-init v. 22.4.2",
		"===== " + filepath.Join(p.OldRoot, p.CloudInit) + " =====\nan earlier boot's",
		"===== " + p.Status + " =====\nfailed nixos-infect exited 1\n",
		"===== " + filepath.Join(p.OldRoot, p.Log) + ": not copied",
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("%s lacks %q:\n%s", files[0], want, data)
		}
	}
	if !strings.Contains(it.stderr.String(), fmt.Sprintf("copied 4 install log file(s) from %s to %s", it.Settings.Name, files[0])) {
		t.Errorf("stderr does not say where the logs went:\n%s", it.stderr)
	}
}

func TestInfectRefusesBeforeCreating(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(it *infectTest)
		want   string
	}{
		{"no key", func(it *infectTest) { sshtest.WriteFile(it.t, it.opts.KeysFile, "# nobody yet\n") }, "has no key"},
		{"no keys file", func(it *infectTest) { it.opts.KeysFile = filepath.Join(t.TempDir(), "missing") }, "put the OpenSSH public keys"},
		{"bad channel", func(it *infectTest) { it.Settings.InfectChannel = "25.11" }, `INFECT_CHANNEL "25.11"`},
		{"bad size", func(it *infectTest) { it.opts.Size = ptr("s-9vcpu-1tb") }, `unknown size "s-9vcpu-1tb"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it := newInfectTest(t)
			tc.mutate(it)
			err := Infect(context.Background(), it.Env, it.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if n := it.mutations(); n != 0 {
				t.Errorf("%d changing requests sent", n)
			}
		})
	}
}

func TestInfectTimeoutCopiesLogs(t *testing.T) {
	it := newInfectTest(t)
	sshtest.WriteFile(it.t, it.opts.Paths.Status, "running\n")
	it.appendLog("building /nix/store/slow.drv\n")
	it.opts.Install = time.Second

	err := Infect(context.Background(), it.Env, it.opts)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "logs in ") {
		t.Fatalf("err = %v, want the deadline and where the logs went", err)
	}
	files, _ := filepath.Glob(filepath.Join(it.opts.LogDir, "infect-*.log"))
	if len(files) != 1 {
		t.Fatalf("log files %v, want one", files)
	}
	if data, _ := os.ReadFile(files[0]); !strings.Contains(string(data), "building /nix/store/slow.drv") {
		t.Errorf("%s lacks the install log:\n%s", files[0], data)
	}
}

func TestInfectDryRunCreatesNothing(t *testing.T) {
	it := newInfectTest(t)
	it.opts.DryRun = true
	if err := Infect(context.Background(), it.Env, it.opts); err != nil {
		t.Fatalf("Infect -dryrun: %v\nstderr:\n%s", err, it.stderr)
	}
	if n := it.mutations(); n != 0 {
		t.Errorf("%d changing requests sent by a dry run", n)
	}
	out := it.Stdout.String()
	name := it.Settings.Name
	for _, want := range []string{
		"droplet " + name + " (not created: -dryrun): " + it.Settings.InfectSize,
		"host entry (written once the droplet runs NixOS; commit it):",
		filepath.Join(it.HostsDir, name, hosts.MetaFile),
		`"route": "infect",`,
		`"stateVersion": "` + infect.StateVersion + `"`,
		"from " + filepath.Join(it.opts.Host.Source.NixOS, hosts.NetworkingFile) + " on the droplet",
		"(address: the droplet's public IPv4, once it exists)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
}
