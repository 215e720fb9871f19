package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"github.com/google/go-cmp/cmp"

	"github.com/Gleipnir-Technology/nixos-systems/internal/anywhere"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

const debianRelease = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n"

const nixosRelease = "ID=nixos\nNAME=NixOS\nPRETTY_NAME=\"NixOS 25.11 (Xantusia)\"\nVERSION_ID=\"25.11\"\n"

// bootedUnits is what systemd says of a boot that finished with no unit
// failed, as verify asks it.
const bootedUnits = "state: running\n"

// anywhereSetup is a simulated account holding one Debian droplet whose SSH
// endpoint leads to a real sshd on this machine.
type anywhereSetup struct {
	*testEnv
	sshd    *sshtest.Server
	files   anywhere.Files
	droplet *godo.Droplet
	ip      string
}

func newAnywhereSetup(t *testing.T) *anywhereSetup {
	t.Helper()
	te, s := newSSHEnv(t, fastSim)

	d, _, err := Provision(context.Background(), te.Env, te.Spec(Overrides{IPv6: ptr(false)}), nil)
	if err != nil {
		t.Fatalf("provision: %v\n%s", err, te.Stderr)
	}
	ip, _ := d.PublicIPv4()
	te.Stdout.Reset()
	te.Stderr.Reset()

	files := anywhereFiles(t, s)
	return &anywhereSetup{testEnv: te, sshd: s, files: files, droplet: d, ip: ip}
}

// wantArgv is the nixos-anywhere command for the setup's droplet.
func (a *anywhereSetup) wantArgv() []string {
	return []string{
		"nix", "--extra-experimental-features", "nix-command flakes", "run", ".#nixos-anywhere", "--",
		"--flake", ".#digitalocean", "--target-host", a.sshd.User + "@" + a.ip, "--copy-host-keys",
		"-i", a.sshd.ClientKeyFile, "--ssh-port", strconv.Itoa(a.Settings.SSHPort),
	}
}

// installRunner stands in for nixos-anywhere: it prints real step lines,
// "installs" by turning the os-release fixture into NixOS's, and at the
// reboot lets the test take the server down.
type installRunner struct {
	osRelease string
	failure   string        // printed in the disko phase before failing; "" = succeed
	rebooting chan struct{} // closed when the run reaches the reboot
	down      chan struct{} // closed by the test once the server is down
	argv      []string
}

func (r *installRunner) Run(ctx context.Context, c runner.Command) error {
	if nixVersion(c, "") {
		return nil
	}
	r.argv = append([]string{c.Name}, c.Args...)
	stdout, stderr := c.Stdout, c.Stderr
	fmt.Fprint(stdout, "### Uploading install SSH keys ###\n### Gathering machine facts ###\n### Switching system into kexec ###\n"+
		"machine will boot into nixos in 6s...\n### Gathering machine facts ###\n### Formatting hard drive with disko ###\n")
	if r.failure != "" {
		fmt.Fprint(stderr, r.failure)
		return errors.New("exit status 1")
	}
	fmt.Fprint(stdout, "### Uploading the system closure ###\n### Installing NixOS ###\ninstallation finished!\n")
	if err := os.WriteFile(r.osRelease, []byte(nixosRelease), 0o644); err != nil {
		return err
	}
	fmt.Fprint(stdout, "### Rebooting ###\n")
	close(r.rebooting)
	<-r.down
	fmt.Fprint(stdout, "### Waiting for the machine to become unreachable due to reboot ###\n### Done! ###\n")
	return nil
}

func TestAnywhereInstallsAndVerifiesByDropletName(t *testing.T) {
	a := newAnywhereSetup(t)
	inst := &installRunner{osRelease: a.files.OSRelease, rebooting: make(chan struct{}), down: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		done <- Anywhere(context.Background(), a.Env, "host="+a.droplet.Name, AnywhereOptions{Yes: true, Runner: inst, Files: a.files})
	}()

	select {
	case <-inst.rebooting:
	case err := <-done:
		t.Fatalf("Anywhere returned before the reboot: %v\nstdout:\n%s\nstderr:\n%s", err, a.Stdout, a.Stderr)
	}
	a.sshd.Stop(t)
	close(inst.down)
	time.Sleep(300 * time.Millisecond) // verification has to wait for the "reboot"
	a.sshd.Restart(t)
	err := <-done

	if diff := cmp.Diff(a.wantArgv(), inst.argv); diff != "" {
		t.Errorf("nixos-anywhere argv (-want +got):\n%s", diff)
	}
	stdout, stderr := a.Stdout.String(), a.Stderr.String()
	for _, want := range []string{
		"preflight of " + a.ip + ":",
		"keys: ok", "login: ok", "memory: ok", "arch: ok", "disk: ok",
		"tools: ok tar, cpio, gzip and setsid (with --wait), which nixos-anywhere runs before kexec",
		"system: ok Debian GNU/Linux 12 (bookworm) (ID=debian)",
		"verify " + a.ip + ":",
		"ssh: ok", "host key: ok " + a.sshd.HostKeyFingerprint, "login: ok",
		"nixos: ok NixOS 25.11 (Xantusia) (ID=nixos)",
		"ipv4: ok " + a.ip + " on lo (within 127.0.0.1/8)",
		"layout: FAILED", // no test machine has disk-config.nix's layout
		"units: ok running: the boot finished and no unit failed",
	} {
		if !hasLine(stdout, want) {
			t.Errorf("stdout lacks a line %q:\n%s", want, stdout)
		}
	}
	if n := strings.Count(stdout, "FAILED"); n != 1 {
		t.Errorf("%d checks failed, want only the layout:\n%s", n, stdout)
	}
	for _, want := range []string{
		fmt.Sprintf("droplet %s (id %d) is at %s\n", a.droplet.Name, a.droplet.ID, a.ip),
		"trusting new host key for [" + a.ip + "]:" + strconv.Itoa(a.Settings.SSHPort) + ": " + a.sshd.HostKeyFingerprint,
		"installing NixOS on " + a.ip + ", wiping its disk (at most 30m): " + runner.CommandLine(a.wantArgv()) + "\n",
		"### Switching system into kexec ###\n==> phase kexec, after 0s\n",
		"### Rebooting ###\n==> phase reboot, after ",
		"waiting up to 5s for SSH on " + a.ip + ":",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if err == nil || !strings.HasPrefix(err.Error(), "verify "+a.ip+" failed: layout: ") || !strings.HasSuffix(err.Error(), verify.RecoveryConsoleURL) {
		t.Errorf("error = %v, want the layout failure and the recovery console", err)
	}
	// The preflight trusted the host key once; verification found it unchanged.
	if known, _ := os.ReadFile(a.Settings.KnownHosts); strings.Count(string(known), "\n") != 1 {
		t.Errorf("known_hosts:\n%s", known)
	}
}

func TestAnywhereDryRunByIP(t *testing.T) {
	a := newAnywhereSetup(t)

	host := repoHostFiles()
	err := Anywhere(context.Background(), a.Env, "host="+a.ip, AnywhereOptions{DryRun: true, Runner: neverRun{t}, Files: a.files, Host: host})

	if err != nil {
		t.Fatalf("%v\n%s", err, a.Stderr)
	}
	want := "nixos-anywhere command (not run: -dryrun):\n  nix --extra-experimental-features 'nix-command flakes' run .#nixos-anywhere -- " +
		"--flake .#digitalocean --target-host " + a.sshd.User + "@" + a.ip + " --copy-host-keys -i " + a.sshd.ClientKeyFile +
		" --ssh-port " + strconv.Itoa(a.Settings.SSHPort) + "\n" +
		"host entry (written once the droplet runs NixOS; commit it):\n" +
		"  " + filepath.Join(a.HostsDir, a.droplet.Name, "host.json") + ":\n"
	out := a.Stdout.String()
	if !strings.HasPrefix(out, "preflight of "+a.ip+":\n") || !strings.Contains(out, want) || strings.Contains(out, "FAILED") {
		t.Errorf("stdout:\n%s\nwant it to hold:\n%s", out, want)
	}
	for _, line := range []string{`"route": "anywhere",`, `"address": "` + a.ip + `",`, `"stateVersion": "25.11"`, "disk-config.nix", "from " + host.Repo.DiskConfig + "\n"} {
		if !strings.Contains(out, line) {
			t.Errorf("host entry lacks %q:\n%s", line, out)
		}
	}
	if entries, _ := os.ReadDir(a.HostsDir); len(entries) != 0 {
		t.Errorf("a dry run wrote %v", entries)
	}
}

func TestAnywhereRefusesInstalledNixOS(t *testing.T) {
	a := newAnywhereSetup(t)
	sshtest.WriteFile(t, a.files.OSRelease, nixosRelease)

	err := Anywhere(context.Background(), a.Env, a.droplet.Name, AnywhereOptions{Runner: neverRun{t}, Files: a.files})

	want := "system: NixOS 25.11 (Xantusia) (ID=nixos) is installed already, and this route wipes " + a.files.Device +
		"; pass -force to reinstall anyway; nothing on " + a.ip + " was changed"
	if err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("error = %v\nwant it to end with %s", err, want)
	}
	if !hasLine(a.Stdout.String(), "system: FAILED NixOS 25.11") {
		t.Errorf("stdout:\n%s", a.Stdout)
	}
}

// Whatever this machine is, a droplet that is not x86_64 is refused.
func TestAnywhereRefusesOtherArchitecture(t *testing.T) {
	a := newAnywhereSetup(t)
	a.files.Uname = sshtest.Uname(t, "aarch64")

	err := Anywhere(context.Background(), a.Env, a.droplet.Name, AnywhereOptions{Runner: neverRun{t}, Files: a.files})

	want := "arch: aarch64: the flake's digitalocean configuration is built for x86_64-linux only; nothing on " + a.ip + " was changed"
	if err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("error = %v\nwant it to end with %s", err, want)
	}
	if !hasLine(a.Stdout.String(), "arch: FAILED aarch64") {
		t.Errorf("stdout:\n%s", a.Stdout)
	}
}

func TestAnywhereWithoutTokenNamesFailedPhase(t *testing.T) {
	a := newAnywhereSetup(t)
	a.Client = nil
	runner := &installRunner{failure: "Error: Partition(s) 1 on /dev/vda have been written, but we have been unable to inform the kernel of the change\n"}

	err := Anywhere(context.Background(), a.Env, a.ip, AnywhereOptions{Yes: true, Runner: runner, Files: a.files})

	var ie *anywhere.InstallError
	if !errors.As(err, &ie) || ie.Phase != anywhere.PhaseDisko || !strings.HasPrefix(err.Error(), "nixos-anywhere failed in phase disko (exit status 1): partitioning /dev/vda failed") {
		t.Errorf("error = %v, want the disko phase named", err)
	}
	if want := "warning: no DigitalOcean token, so the droplet's addresses cannot be looked up and will not be checked after the install\n"; !strings.HasPrefix(a.Stderr.String(), want) {
		t.Errorf("stderr does not start with the warning:\n%s", a.Stderr)
	}
	if !strings.HasSuffix(a.Stderr.String(), runner.failure) {
		t.Errorf("stderr does not end with nixos-anywhere's error:\n%s", a.Stderr)
	}
	if strings.Contains(a.Stdout.String(), "verify") {
		t.Errorf("verified after a failed install:\n%s", a.Stdout)
	}
}

// Hosts that cannot be one (empty, a flag, neither an address nor a name)
// are refused by the command line check, CommandLine; these are hosts that
// can only be found wanting through the API, or without it.
func TestAnywhereBadHosts(t *testing.T) {
	te := newTestEnv(t, fastSim)
	ctx := context.Background()
	for host, want := range map[string]string{
		"host=no-such": `no droplet named "no-such"; ` + "`mage list` shows this repo's droplets",
		"404":          "no droplet with ID 404; `mage list` shows this repo's droplets",
	} {
		if err := Anywhere(ctx, te.Env, host, AnywhereOptions{Runner: neverRun{t}}); err == nil || err.Error() != want {
			t.Errorf("host %q: %v\nwant %s", host, err, want)
		}
	}
	te.Client = nil
	want := `"nixos-1" is not an IP address, and finding a droplet by name needs a DigitalOcean token: export DIGITALOCEAN_ACCESS_TOKEN, or pass host=<ip>`
	if err := Anywhere(ctx, te.Env, "host=nixos-1", AnywhereOptions{Runner: neverRun{t}}); err == nil || err.Error() != want {
		t.Errorf("name without token: %v\nwant %s", err, want)
	}
}

// An address no droplet of the account has is still tried, with a warning.
func TestAnywhereUnknownAddress(t *testing.T) {
	te := newTestEnv(t, fastSim)
	te.Settings.KnownHosts = filepath.Join(t.TempDir(), "known_hosts")
	// A usable key, but nothing listens on the SSH port: the preflight fails.
	te.Settings.SSHIdentity = filepath.Join(t.TempDir(), "id")
	sshtest.NewKeyFile(t, te.Settings.SSHIdentity)

	err := Anywhere(context.Background(), te.Env, "127.0.0.1", AnywhereOptions{Runner: neverRun{t}})

	if want := "warning: no droplet of this account has the address 127.0.0.1, so its addresses will not be checked after the install\n"; !strings.HasPrefix(te.Stderr.String(), want) {
		t.Errorf("stderr:\n%s", te.Stderr)
	}
	if err == nil || !strings.HasPrefix(err.Error(), "preflight of 127.0.0.1 failed: ") {
		t.Errorf("error = %v", err)
	}
}

func TestFittingSizes(t *testing.T) {
	te := newTestEnv(t, fastSim)
	got, err := fittingSizes(te.Env, target{})(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"s-1vcpu-2gb", "s-1vcpu-2gb-amd", "s-1vcpu-2gb-intel"}, got); diff != "" {
		t.Errorf("sizes (-want +got):\n%s", diff)
	}
	te.Client = nil
	if fittingSizes(te.Env, target{}) != nil {
		t.Error("sizes offered without an API client")
	}
}

// hasLine reports whether a line of out, its blanks collapsed, starts with prefix.
func hasLine(out, prefix string) bool {
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.Join(strings.Fields(line), " "), prefix) {
			return true
		}
	}
	return false
}

// neverRun fails the test if the install starts; it answers the local
// check's `nix --version` as a Nix new enough.
type neverRun struct{ t *testing.T }

func (n neverRun) Run(_ context.Context, c runner.Command) error {
	if nixVersion(c, "") {
		return nil
	}
	n.t.Error("nixos-anywhere ran")
	return errors.New("must not run")
}

// nixVersion answers c if it is the local check's `nix --version`, as a
// Nix of version would ("" = one new enough), and reports whether it was.
func nixVersion(c runner.Command, version string) bool {
	if c.Name != "nix" || !slices.Equal(c.Args, []string{"--version"}) {
		return false
	}
	if version == "" {
		version = "nix (Nix) 2.24.10"
	}
	fmt.Fprintln(c.Stdout, version)
	return true
}

// noNix stands in for a machine without nix on PATH.
type noNix struct{ t *testing.T }

func (n noNix) Run(_ context.Context, c runner.Command) error {
	if c.Name != "nix" || !slices.Equal(c.Args, []string{"--version"}) {
		n.t.Errorf("ran %s %v without nix", c.Name, c.Args)
	}
	return &exec.Error{Name: c.Name, Err: exec.ErrNotFound}
}

// A bad SSH_IDENTITY is reported before anything talks to a droplet or the API.
func TestSSHConfigChecksIdentity(t *testing.T) {
	te := newTestEnv(t, fastSim)
	dir := t.TempDir()
	encrypted := filepath.Join(dir, "encrypted")
	sshtest.WriteEncryptedKey(t, encrypted)
	sshtest.NewKeyFile(t, filepath.Join(dir, "id"))
	public := filepath.Join(dir, "id.pub")
	sshtest.WriteFile(t, public, sshtest.AuthorizedKey(t, filepath.Join(dir, "id")))
	for path, want := range map[string]string{
		filepath.Join(dir, "missing"): "is unreadable: no such file or directory",
		public:                        "is not a usable ssh private key",
		encrypted:                     "is passphrase-protected; load it with ssh-add",
	} {
		te.Settings.SSHIdentity = path
		_, err := te.SSHConfig()
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "point SSH_IDENTITY at your private key") {
			t.Errorf("SSH_IDENTITY=%s: err = %v, want %q and the fix", path, err, want)
		}
	}
	te.Settings.SSHIdentity = filepath.Join(dir, "id")
	if _, err := te.SSHConfig(); err != nil {
		t.Errorf("a usable key: %v", err)
	}
	if n := len(te.Sim.Requests()); n != 0 {
		t.Errorf("%d API requests", n)
	}
}

// The install never starts on a machine this repo did not make, or without a yes.
func TestAnywhereGuardsTheWipe(t *testing.T) {
	a := newAnywhereSetup(t)
	ctx := context.Background()

	a.In = strings.NewReader("n\n")
	err := Anywhere(ctx, a.Env, a.droplet.Name, AnywhereOptions{Runner: neverRun{t}, Files: a.files})
	if err == nil || err.Error() != "not installed: answer y to the question, or pass -yes" {
		t.Errorf("answering n: %v", err)
	}
	if want := fmt.Sprintf("Wipe the disk of droplet %s (id %d, %s) and install NixOS? [y/N] ", a.droplet.Name, a.droplet.ID, a.ip); !strings.Contains(a.Stderr.String(), want) {
		t.Errorf("stderr lacks the question %q:\n%s", want, a.Stderr)
	}

	// A droplet made by hand, without the repo's tag, on the same sshd.
	foreign, _, err := a.Client.Droplets.Create(ctx, &godo.DropletCreateRequest{
		Name: "hand-made", Region: "sfo3", Size: "s-1vcpu-2gb", Image: godo.DropletCreateImage{Slug: "debian-12-x64"},
		SSHKeys: []godo.DropletCreateSSHKey{}, Tags: []string{},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := droplets.WaitReady(ctx, a.dropletAPI(), foreign.ID, a.Wait); err != nil {
		t.Fatal(err)
	}
	err = Anywhere(ctx, a.Env, "hand-made", AnywhereOptions{Yes: true, Runner: neverRun{t}, Files: a.files})
	if err == nil || !strings.Contains(err.Error(), "was not made by this repo") || !strings.Contains(err.Error(), "-force") {
		t.Errorf("untagged droplet: %v", err)
	}
}
