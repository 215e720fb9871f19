package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// scan is one run of a target, or a few, doing real work or failing on
// purpose. The token check itself is in checkOutput, which every run passes.
type scan struct {
	name   string
	target string // the target covered, as `mage -l` names it
	run    func(t *testing.T)
}

// scans cover every target on its way to success and on its failure paths:
// a revoked token (401), DigitalOcean failing (500), lost answers, timeouts.
var scans = []scan{
	{"sizes table", "sizes", func(t *testing.T) {
		f := startSim(t, dosim.Options{})
		mustSucceed(t, f.shell(t).run(t, "sizes"))
	}},
	{"sizes after a 500 is retried", "sizes", func(t *testing.T) {
		f := startSim(t, dosim.Options{})
		f.AddFault(dosim.Fault{Method: "GET", Path: "/v2/sizes", Status: 500, Times: 1})
		r := f.shell(t).run(t, "sizes", "-json")
		mustSucceed(t, r)
		if !strings.Contains(r.stderr, "retrying") {
			t.Errorf("%s: no retry notice on stderr:\n%s", r, r.stderr)
		}
	}},
	{"sizes with a revoked token (401)", "sizes", func(t *testing.T) {
		f := startSim(t, dosim.Options{})
		sh := f.shell(t)
		sh.set("DIGITALOCEAN_ACCESS_TOKEN", wrongToken)
		mustFail(t, sh.run(t, "sizes"), "401", "DIGITALOCEAN_ACCESS_TOKEN")
	}},
	{"create, then create again", "create", func(t *testing.T) {
		f := startSim(t, dosim.Options{})
		sh := f.shell(t)
		mustSucceed(t, sh.run(t, "create", "-json"))
		mustSucceed(t, sh.run(t, "create"))
		if n := len(f.Droplets()); n != 1 {
			t.Errorf("two creates of one name made %d droplets, want 1", n)
		}
	}},
	{"create with the token from doctl's config", "create", func(t *testing.T) {
		f := startSim(t, dosim.Options{})
		sh := f.shell(t)
		sh.unset("DIGITALOCEAN_ACCESS_TOKEN")
		doctlConfig(t, sh, "access-token: "+token+"\ncontext: default\n")
		mustSucceed(t, sh.run(t, "create", "-name=from-doctl"))
	}},
	{"create with a revoked token (401)", "create", func(t *testing.T) {
		f := startSim(t, dosim.Options{})
		sh := f.shell(t)
		sh.set("DIGITALOCEAN_ACCESS_TOKEN", wrongToken)
		mustFail(t, sh.run(t, "create"), "401")
	}},
	{"create answered 500", "create", func(t *testing.T) {
		f := startSim(t, dosim.Options{})
		f.AddFault(dosim.Fault{Method: "POST", Path: "/v2/droplets", Status: 500})
		mustFail(t, f.shell(t).run(t, "create"), "500", "safe to retry")
		if names := f.dropletNames(); len(names) != 0 {
			t.Errorf("a refused create left droplets %v", names)
		}
	}},
	{"list", "list", func(t *testing.T) {
		f := startSim(t, dosim.Options{})
		sh := f.shell(t)
		mustSucceed(t, sh.run(t, "create"))
		mustSucceed(t, sh.run(t, "list"))
		mustSucceed(t, sh.run(t, "list", "-json"))
	}},
	{"list with a revoked token from doctl's config (401)", "list", func(t *testing.T) {
		f := startSim(t, dosim.Options{})
		sh := f.shell(t)
		sh.unset("DIGITALOCEAN_ACCESS_TOKEN")
		doctlConfig(t, sh, "context: work\nauth-contexts:\n  work: "+wrongToken+"\n")
		mustFail(t, sh.run(t, "list"), "401")
	}},
	{"destroy", "destroy", func(t *testing.T) {
		f := startSim(t, dosim.Options{})
		sh := f.shell(t)
		mustSucceed(t, sh.run(t, "create"))
		// Nothing answers the question, so nothing is destroyed; how the
		// error looks then is checked with the other bad input.
		if r := sh.run(t, "destroy", "nixos-1"); r.code == 0 {
			t.Errorf("%s destroyed without an answer", r)
		}
		mustSucceed(t, sh.run(t, "destroy", "nixos-1", "-yes"))
	}},
	{"images", "images", func(t *testing.T) {
		f := startSim(t, dosim.Options{})
		mustSucceed(t, f.shell(t).run(t, "images", "-json"))
	}},
	{"uploadImage, images, deleteImage", "uploadImage", func(t *testing.T) {
		f := startSim(t, dosim.Options{})
		sh := f.shell(t)
		publishLocally(t, sh)
		mustSucceed(t, sh.run(t, "uploadImage", "-file="+imageFile(t)))
		mustSucceed(t, sh.run(t, "deleteImage", onlyImage(t, sh), "-yes"))
	}},
	{"uploadImage whose import fails", "uploadImage", func(t *testing.T) {
		f := startSim(t, dosim.Options{ImportError: "Failed to download the image"})
		sh := f.shell(t)
		publishLocally(t, sh)
		mustFail(t, sh.run(t, "uploadImage", "-file="+imageFile(t)), "Failed to download the image")
	}},
	{"deleteImage with a revoked token (401)", "deleteImage", func(t *testing.T) {
		f := startSim(t, dosim.Options{})
		sh := f.shell(t)
		sh.set("DIGITALOCEAN_ACCESS_TOKEN", wrongToken)
		mustFail(t, sh.run(t, "deleteImage", "190000001", "-yes"), "401")
	}},
	{"buildImage without Nix", "buildImage", func(t *testing.T) {
		// This machine may have Nix and KVM, and a real build takes long:
		// an empty PATH stops it at the first check.
		sh := startSim(t, dosim.Options{}).shell(t)
		sh.set("PATH", t.TempDir())
		mustFail(t, sh.run(t, "buildImage"), "nix is not on PATH")
	}},
	{"anywhere by address, a loopback sshd: refused as this machine", "anywhere", func(t *testing.T) {
		sshd := sshtest.Start(t)
		f := startSim(t, dosim.Options{})
		sh := f.shell(t)
		sh.set("DROPLET_SSH_PORT", strconv.Itoa(sshd.Port), "SSH_IDENTITY", sshd.ClientKeyFile,
			"SSH_KNOWN_HOSTS", filepath.Join(t.TempDir(), "known_hosts"))
		r := sh.run(t, "anywhere", "host="+sshd.Host, "-dryrun")
		wantDryRun(t, r)
	}},
	{"anywhere by address without a token", "anywhere", func(t *testing.T) {
		sshd := sshtest.Start(t)
		sh := newShell(t)
		sh.set("DROPLET_SSH_PORT", strconv.Itoa(sshd.Port), "SSH_IDENTITY", sshd.ClientKeyFile,
			"SSH_KNOWN_HOSTS", filepath.Join(t.TempDir(), "known_hosts"))
		wantDryRun(t, sh.run(t, "anywhere", sshd.Host, "-dryrun"))
	}},
	{"anywhere by droplet name, its ssh forwarded to a real sshd", "anywhere", func(t *testing.T) {
		sshd := sshtest.Start(t)
		f := startSim(t, dosim.Options{SSHBackend: sshd.Addr, SeedKey: sshtest.AuthorizedKey(t, sshd.ClientKeyFile)})
		sh := f.shell(t)
		sh.set("SSH_IDENTITY", sshd.ClientKeyFile, "SSH_KNOWN_HOSTS", filepath.Join(t.TempDir(), "known_hosts"))
		mustSucceed(t, sh.run(t, "create"))
		wantDryRun(t, sh.run(t, "anywhere", "host=nixos-1", "-dryrun"))
	}},
	{"infect without a key", "infect", func(t *testing.T) {
		f := startSim(t, dosim.Options{})
		sh := f.shell(t)
		sh.operator(t)
		sh.dir = workdir(t, nil)
		mustFail(t, sh.run(t, "infect"), "authorized_keys")
	}},
	{"infect whose droplet never boots", "infect", func(t *testing.T) {
		f := startSim(t, dosim.Options{NeverActive: true})
		sh := f.shell(t)
		keys := []string{sh.operator(t)}
		mustFail(t, sh.run(t, "infect", "-name=cheap1", "-timeout=2s"), "mage destroy")
		ds := f.Droplets()
		if len(ds) != 1 {
			t.Fatalf("infect made %d droplets, want 1", len(ds))
		}
		if ud, _ := f.UserData(ds[0].ID); !strings.Contains(ud, keys[0]) {
			t.Errorf("the droplet's user data lacks the operator's key")
		}
	}},
	{"deploy with no hosts yet", "deploy", func(t *testing.T) {
		sh := newShell(t)
		sh.operator(t)
		mustFail(t, sh.run(t, "deploy"), "no hosts in hosts/ yet")
	}},
	{"deploy -dryrun of a host, and of a name that is none", "deploy", func(t *testing.T) {
		sh := newShell(t)
		sh.operator(t)
		host := filepath.Join(sh.dir, "hosts", "web1")
		if err := os.MkdirAll(host, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(host, "host.json"), `{"hostname": "web1", "route": "anywhere", "address": "203.0.113.7", "stateVersion": "25.11"}`)
		writeFile(t, filepath.Join(host, "disk-config.nix"), "{ }\n")
		writeFile(t, filepath.Join(host, "ssh_host_ed25519_key.pub"), publicKeys(t, 1)[0]+"\n")
		r := sh.run(t, "deploy", "-dryrun")
		mustSucceed(t, r)
		if !strings.Contains(r.stdout, `run .#deploy-rs -- '.#"web1"' --skip-checks --magic-rollback true`) {
			t.Errorf("%s: stdout lacks the deploy-rs command:\n%s", r, r.stdout)
		}
		mustFail(t, sh.run(t, "deploy", "-hosts=web9"), `"web9" is not a host (hosts: web1)`, "-hosts")
	}},
	{"up: the plan, then an install whose droplet never boots", "up", func(t *testing.T) {
		f := startSim(t, dosim.Options{NeverActive: true})
		sh := f.shell(t)
		sh.operator(t)
		r := sh.run(t, "up", "cheap1", "-route=infect", "-dryrun")
		mustSucceed(t, r)
		if !strings.Contains(r.stdout, "up cheap1: route infect in sfo3, a new droplet") {
			t.Errorf("%s printed no plan:\n%s", r, r.stdout)
		}
		if len(f.Droplets()) != 0 {
			t.Fatalf("%s made a droplet", r)
		}
		mustFail(t, sh.run(t, "up", "cheap1", "-route=infect", "-timeout=2s"), "mage up cheap1 -route=infect", "mage destroy cheap1")
		if n := len(f.Droplets()); n != 1 {
			t.Errorf("up made %d droplets, want 1", n)
		}
	}},
	{"demo", "demo", func(t *testing.T) {
		// On a machine without an SSH key a throwaway one stands in, so
		// the demo's create passes the check a real one makes; with a key,
		// the operator's own goes on the simulated account.
		sh := newShell(t)
		r := sh.run(t, "demo")
		mustSucceed(t, r)
		if !strings.Contains(r.stderr, "a throwaway key stands in") {
			t.Errorf("%s without a key did not say what stands in for one:\n%s", r, r.stderr)
		}
		wantRunnableNextStep(t, r)
		sshtest.NewKeyFile(t, sh.loginKey())
		r = sh.run(t, "demo")
		mustSucceed(t, r)
		if strings.Contains(r.stderr, "throwaway") {
			t.Errorf("%s with a key used a throwaway one:\n%s", r, r.stderr)
		}
	}},
	{"sim, used by other targets", "sim", func(t *testing.T) {
		sh := newShell(t)
		sshtest.NewKeyFile(t, sh.loginKey())
		addr := closedPort(t) // free now, for the simulator to listen on
		p := sh.start(t, "sim", "-addr="+addr, "-sshport="+strconv.Itoa(freePort(t)), "-boot=1s")
		exports := waitFor(t, &p.stdout, "export DROPLET_SSH_PORT=")
		user := newShell(t)
		for _, line := range strings.Split(exports, "\n") {
			if k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "="); ok {
				user.set(k, v)
			}
		}
		mustSucceed(t, user.run(t, "sizes"))
		// The simulated account has the operator's key as the one the
		// settings name, so create makes droplets that let them in; for
		// another user, it refuses.
		mustFail(t, user.run(t, "create"), "no SSH key to log in to droplets with")
		user.set("HOME", sh.env["HOME"])
		mustSucceed(t, user.run(t, "create"))
		// The account's token is not the simulator's: refused, and
		// neither side may print it.
		user.set("DIGITALOCEAN_ACCESS_TOKEN", token)
		mustFail(t, user.run(t, "list"), "401")
		if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		mustSucceed(t, p.wait(t))
	}},
}

// TestTokenNeverPrinted runs every target mage lists, on success and failure
// paths, with a token shaped like a real one; checkOutput fails a run that
// prints it in any form, or panics.
func TestTokenNeverPrinted(t *testing.T) {
	listed := listedTargets(t)
	var covered []string
	for _, s := range scans {
		covered = append(covered, s.target)
	}
	for _, target := range listed {
		if !slices.Contains(covered, target) {
			t.Errorf("target %s is not scanned: add a run of it to scans", target)
		}
	}
	for _, s := range scans {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			s.run(t)
		})
	}
}

// wantRunnableNextStep checks that the commands the demo's last line tells
// its watcher to run next are targets mage lists, and that one of them is
// up, the target that makes a NixOS droplet.
func wantRunnableNextStep(t *testing.T, r result) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	last := lines[len(lines)-1]
	listed := listedTargets(t)
	var named []string
	for i, part := range strings.Split(last, "`") {
		if i%2 == 0 {
			continue // outside backquotes
		}
		f := strings.Fields(part)
		if len(f) < 2 || f[0] != "mage" || !slices.Contains(listed, f[1]) {
			t.Errorf("%s ends advising `%s`, which is not a target mage lists (%v)", r, part, listed)
			continue
		}
		named = append(named, f[1])
	}
	if !slices.Contains(named, "up") {
		t.Errorf("%s ends without pointing to mage up:\n%s", r, last)
	}
}

// listedTargets returns the target names `mage -l` prints.
func listedTargets(t *testing.T) []string {
	t.Helper()
	r := newShell(t).run(t, "-l")
	mustSucceed(t, r)
	var names []string
	for _, line := range strings.Split(r.stdout, "\n") {
		if f := strings.Fields(line); strings.HasPrefix(line, "  ") && len(f) > 0 {
			names = append(names, strings.TrimSuffix(f[0], "*")) // * marks a default target
		}
	}
	if len(names) == 0 {
		t.Fatalf("%s listed no targets:\n%s", r, r.stdout)
	}
	return names
}

// wantDryRun checks that anywhere -dryrun got as far as printing the
// command it would run; whether this machine passes the preflight does not
// matter here.
func wantDryRun(t *testing.T, r result) {
	t.Helper()
	if !strings.Contains(r.stdout, "not run: -dryrun") {
		t.Errorf("%s printed no dry-run command (exit %d)\nstdout:\n%s\nstderr:\n%s", r, r.code, r.stdout, r.stderr)
	}
}

// doctlConfig writes doctl's config file under the shell's HOME.
func doctlConfig(t *testing.T, sh *shell, content string) {
	t.Helper()
	dir := filepath.Join(sh.env["HOME"], ".config", "doctl")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "config.yaml"), content)
}

// waitFor waits until buf holds want and returns what it holds.
func waitFor(t *testing.T, buf *syncBuffer, want string) string {
	t.Helper()
	sshtest.Eventually(t, fmt.Sprintf("%q in the output", want), func() bool { return strings.Contains(buf.String(), want) })
	return buf.String()
}
