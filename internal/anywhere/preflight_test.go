package anywhere

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/Gleipnir-Technology/nixos-systems/internal/problem"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify/verifytest"
)

const nixosRelease = "ID=nixos\nNAME=NixOS\nPRETTY_NAME=\"NixOS 25.11 (Xantusia)\"\nVERSION_ID=\"25.11\"\n"

const debianRelease = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n"

// Memory as the kernels of 2 GB and 1 GB droplets count it.
const (
	twoGBDropletKB = 2014228
	oneGBDropletKB = 1004052
)

// ready is a preflight of s whose fixtures pass, as a stock 2 GB droplet
// does: s's client key in the authorized keys, a stand-in for /dev/vda,
// Debian's /etc/os-release, its /proc/meminfo and a uname that says
// x86_64, with the preflight run from an x86_64 Linux machine whose Nix
// is new enough.
// TestPreflightReadsTheRealMachine reads this machine's own.
func ready(t *testing.T, s *sshtest.Server) Checks {
	return Checks{Platform: "linux/amd64", Files: Files{
		AuthorizedKeys: sshtest.TempFile(t, "authorized_keys", template+sshtest.AuthorizedKey(t, s.ClientKeyFile)+"\n"),
		Device:         sshtest.TempFile(t, "vda", ""),
		OSRelease:      sshtest.TempFile(t, "os-release", debianRelease),
		Uname:          sshtest.Uname(t, "x86_64"),
		MemInfo:        sshtest.MemInfo(t, twoGBDropletKB),
		ToolPath:       sshtest.ToolPath(t, "tar", "cpio", "gzip", "setsid"),
	}, Runner: nixVersion{t, "nix (Nix) 2.24.10"}}
}

// localOutput runs cmd here, on the machine the sshd serves, for comparison.
func localOutput(t *testing.T, cmd string) string {
	t.Helper()
	out, err := exec.Command("sh", "-c", cmd).Output()
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	return strings.TrimSpace(string(out))
}

// The preflight of this machine, with its own uname, memory and
// /etc/os-release, says what each of them says: it passes on x86_64 Debian
// with 2 GB or more, as CI runs it, and refuses another architecture, less
// memory or an installed NixOS, as it would refuse such a droplet.
func TestPreflightReadsTheRealMachine(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	o := ready(t, s)
	o.OSRelease, o.Uname, o.MemInfo, o.Platform, o.ToolPath = "", "", "", "", ""

	rep, err := Preflight(context.Background(), s.Host, verifytest.Config(t, s), o)

	memMB := localOutput(t, "awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo")
	want := map[string]verify.Check{
		"local nix": verify.Pass("local nix", "nix (Nix) 2.24.10 (nixos-anywhere needs 2.18 or newer)"),
		"keys":      {Status: verify.OK},
		"login":     verify.Pass("login", "host key "+s.HostKeyFingerprint),
		"memory":    verify.Pass("memory", memMB+" MB (MemTotal); nixos-anywhere needs a 2048 MB droplet"),
		"arch":      verify.Pass("arch", "x86_64"),
		"disk":      verify.Pass("disk", o.Device+" is present, and will be wiped"),
		"system":    verify.Pass("system", localOutput(t, ". /etc/os-release; echo \"$PRETTY_NAME (ID=$ID)\"")),
	}
	if runtime.GOOS == "linux" && runtime.GOARCH == "amd64" {
		want["build"] = verify.Pass("build", "here, on linux/amd64 (x86_64-linux, as the system)")
	} else {
		want["build"] = verify.Check{Status: verify.Warning}
	}
	want["tools"] = verify.Pass("tools", "tar, cpio, gzip and setsid (with --wait), which nixos-anywhere runs before kexec")
	var lacks []string
	for _, p := range []string{"tar", "cpio", "gzip"} {
		if _, err := exec.LookPath(p); err != nil {
			lacks = append(lacks, p)
		}
	}
	if exec.Command("setsid", "--wait", "true").Run() != nil {
		lacks = append(lacks, "setsid (with --wait)")
	}
	if len(lacks) > 0 {
		want["tools"] = verify.Check{Status: verify.Failed, Detail: "the droplet has no " + strings.Join(lacks, ", no ") + ","}
	}
	if mb, _ := strconv.Atoi(memMB); mb < 2048*9/10 {
		want["memory"] = verify.Check{Status: verify.Failed, Detail: (&TooSmallError{MB: mb, MinMB: 2048}).Error()}
	}
	if arch := localOutput(t, "uname -m"); arch != "x86_64" {
		want["arch"] = verify.Check{Status: verify.Failed, Detail: arch + ": the flake's digitalocean configuration is built for x86_64-linux only"}
	}
	system := want["system"]
	switch localOutput(t, ". /etc/os-release; echo \"$ID/$VARIANT_ID\"") {
	case "nixos/installer":
		system.Detail += ": a nixos-anywhere run stopped midway; this one carries on"
	case "nixos/":
		system = verify.Check{Status: verify.Failed, Detail: system.Detail + " is installed already, and this route wipes " + o.Device}
	}
	want["system"] = system
	var failed []string
	for name, w := range want {
		if w.Status == verify.Failed {
			failed = append(failed, name)
		}
		if got := verifytest.Statuses(rep)[name]; got != w.Status {
			t.Errorf("%s: %s %q, want %s", name, got, verifytest.Detail(rep, name), w.Status)
		}
		if got := verifytest.Detail(rep, name); w.Detail != "" && got != w.Detail && !(w.Status == verify.Failed && strings.HasPrefix(got, w.Detail)) {
			t.Errorf("%s: %q, want %q", name, got, w.Detail)
		}
	}
	if (err == nil) != (len(failed) == 0) {
		t.Errorf("error = %v, want one exactly when a check fails (%v)", err, failed)
	}
}

func TestPreflightRefusals(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	cfg := verifytest.Config(t, s)
	missing := filepath.Join(t.TempDir(), "missing")
	sizes := func(context.Context) ([]string, error) { return []string{"s-1vcpu-2gb", "s-1vcpu-2gb-amd"}, nil }

	for _, tc := range []struct {
		name     string
		change   func(o *Checks)
		check    string
		want     string
		override string   // the action that overrides the refusal; "" = none can
		fitting  []string // the sizes a too small machine is told of
	}{
		{
			"a 1 GB droplet", func(o *Checks) { o.MemInfo = sshtest.MemInfo(t, oneGBDropletKB); o.FittingSizes = sizes },
			"memory", "980 MB (MemTotal) is less than a 2048 MB droplet has, and nixos-anywhere's installer runs from RAM (1 GB droplets hang in kexec)",
			"try anyway", []string{"s-1vcpu-2gb", "s-1vcpu-2gb-amd"},
		},
		{
			"a 1 GB droplet, no API", func(o *Checks) { o.MemInfo = sshtest.MemInfo(t, oneGBDropletKB) },
			"memory", "980 MB (MemTotal) is less than a 2048 MB droplet has", "try anyway", nil,
		},
		{
			"no MemTotal", func(o *Checks) { o.MemInfo = sshtest.TempFile(t, "meminfo", "MemFree: 1 kB\n") },
			"memory", "meminfo: no MemTotal line in kB", "", nil,
		},
		{
			"already NixOS", func(o *Checks) { o.OSRelease = sshtest.TempFile(t, "os-release", nixosRelease) },
			"system", "NixOS 25.11 (Xantusia) (ID=nixos) is installed already, and this route wipes " + "%DEVICE%", "reinstall anyway", nil,
		},
		{
			"not x86_64", func(o *Checks) { o.Uname = sshtest.Uname(t, "aarch64") },
			"arch", "aarch64: the flake's digitalocean configuration is built for x86_64-linux only", "", nil,
		},
		{
			"no cpio", func(o *Checks) { o.ToolPath = sshtest.ToolPath(t, "tar", "gzip", "setsid") },
			"tools", "the droplet has no cpio, which nixos-anywhere runs before kexec (to unpack the installer, build its initrd and start it) " +
				"and stops without: install it there (`apt-get install cpio` on Debian)", "", nil,
		},
		{
			"no tar, gzip and a setsid without --wait", func(o *Checks) { o.ToolPath = sshtest.ToolPath(t, "cpio", "old setsid") },
			"tools", "the droplet has no tar, no gzip, no setsid (with --wait), which nixos-anywhere runs before kexec " +
				"(to unpack the installer, build its initrd and start it) and stops without: install it there (`apt-get install tar gzip util-linux` on Debian)", "", nil,
		},
		{
			"no disk", func(o *Checks) { o.Device = missing },
			"disk", missing + " is missing, and nixos-anywhere/disk-config.nix partitions " + missing + ": is this a DigitalOcean droplet?",
			"", nil,
		},
		{
			"unreadable os-release", func(o *Checks) { o.OSRelease = missing },
			"system", "read " + missing + `: remote command "cat ` + missing + `" exited 1: cat: ` + missing + ": No such file or directory",
			"", nil,
		},
		{
			"Debian's Nix", func(o *Checks) { o.Runner = nixVersion{t, "nix (Nix) 2.8.0"} },
			"local nix", "nix (Nix) 2.8.0 is older than Nix 2.18", "", nil,
		},
		{
			"no authorized key", func(o *Checks) { o.AuthorizedKeys = sshtest.TempFile(t, "authorized_keys", template) },
			"keys", "has no key, so the installed NixOS would accept no login",
			"", nil,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := ready(t, s)
			tc.change(&o)
			want := strings.ReplaceAll(tc.want, "%DEVICE%", o.Device)

			rep, err := Preflight(context.Background(), s.Host, cfg, o)

			got := verifytest.Detail(rep, tc.check)
			if verifytest.Statuses(rep)[tc.check] != verify.Failed || !strings.Contains(got, want) {
				t.Errorf("%s: %s %q\nwant FAILED containing %q", tc.check, verifytest.Statuses(rep)[tc.check], got, want)
			}
			var override *problem.Overridable
			if overridable := errors.As(verifytest.Err(rep, tc.check), &override); overridable != (tc.override != "") ||
				overridable && (override.Action != tc.override || override.Overridden) {
				t.Errorf("%s: %v, want overridable by %q", tc.check, verifytest.Err(rep, tc.check), tc.override)
			}
			var small *TooSmallError
			if errors.As(err, &small) && !cmp.Equal(small.Fitting, tc.fitting, cmpopts.EquateEmpty()) {
				t.Errorf("sizes that fit = %v, want %v", small.Fitting, tc.fitting)
			}
			var failure *verify.Failure
			if !errors.As(err, &failure) || !strings.HasSuffix(err.Error(), "; nothing on 127.0.0.1 was changed") {
				t.Errorf("error = %v, want a Failure saying nothing changed", err)
			}
			if !strings.HasPrefix(err.Error(), "preflight of 127.0.0.1 failed: ") || strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line naming the host: %q", err)
			}
		})
	}
}

// With -force, too little memory and an installed NixOS only warn.
func TestPreflightForce(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	o := ready(t, s)
	o.Force = true
	o.MemInfo = sshtest.MemInfo(t, oneGBDropletKB)
	o.OSRelease = sshtest.TempFile(t, "os-release", nixosRelease)

	rep, err := Preflight(context.Background(), s.Host, verifytest.Config(t, s), o)

	for _, name := range []string{"memory", "system"} {
		var override *problem.Overridable
		if st := verifytest.Statuses(rep)[name]; st != verify.Warning || !errors.As(verifytest.Err(rep, name), &override) || !override.Overridden {
			t.Errorf("%s: %s %v, want a warning, overridden", name, st, verifytest.Err(rep, name))
		}
	}
	if err != nil {
		t.Errorf("error = %v, want none: every refusal was overridden", err)
	}
}

// Started off x86_64 Linux, nixos-anywhere may build on the droplet after
// kexec: the preflight says so, and goes on.
func TestPreflightSaysWhereItBuilds(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	for _, tc := range []struct {
		platform string
		status   verify.Status
		detail   string
	}{
		{"linux/amd64", verify.OK, "here, on linux/amd64 (x86_64-linux, as the system)"},
		{"darwin/arm64", verify.Warning, "this machine is darwin/arm64: without a builder for x86_64-linux (nix.conf `builders`), " +
			"nixos-anywhere builds the system on the droplet after kexec, in the installer's RAM, so a build error or a build too big for it " +
			"shows only then, with the droplet in the installer; its failed trial build for x86_64-linux at the start says which"},
		{"linux/arm64", verify.Warning, "this machine is linux/arm64: without a builder for x86_64-linux"},
	} {
		o := ready(t, s)
		o.Platform = tc.platform

		rep, err := Preflight(context.Background(), s.Host, verifytest.Config(t, s), o)

		if st, detail := verifytest.Statuses(rep)["build"], verifytest.Detail(rep, "build"); st != tc.status || !strings.HasPrefix(detail, tc.detail) {
			t.Errorf("%s: build: %s %q\nwant %s %q", tc.platform, st, detail, tc.status, tc.detail)
		}
		if err != nil && strings.Contains(err.Error(), "build: ") {
			t.Errorf("%s: error %v: where it builds stops nothing", tc.platform, err)
		}
	}
}

// A NixOS installer is what an interrupted run leaves; the next run carries on.
func TestPreflightCarriesOnFromInstaller(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	o := ready(t, s)
	o.OSRelease = sshtest.TempFile(t, "os-release", "ID=nixos\nVARIANT_ID=installer\nPRETTY_NAME=\"NixOS 25.05 (Warbler)\"\n")

	rep, _ := Preflight(context.Background(), s.Host, verifytest.Config(t, s), o)

	want := "NixOS 25.05 (Warbler) (ID=nixos): a nixos-anywhere run stopped midway; this one carries on"
	if st := verifytest.Statuses(rep)["system"]; st != verify.OK || verifytest.Detail(rep, "system") != want {
		t.Errorf("system: %s %s", st, verifytest.Detail(rep, "system"))
	}
}

// Without a fixture the preflight looks for the real /dev/vda, which test
// machines may or may not have.
func TestPreflightChecksDevVda(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	o := ready(t, s)
	o.Device = ""
	want := verify.Pass("disk", "/dev/vda is present, and will be wiped")
	if _, err := os.Stat(DefaultDevice); err != nil {
		want = verify.Fail("disk", errors.New("/dev/vda is missing, and nixos-anywhere/disk-config.nix partitions /dev/vda: is this a DigitalOcean droplet?"))
	}

	rep, _ := Preflight(context.Background(), s.Host, verifytest.Config(t, s), o)

	if st := verifytest.Statuses(rep)["disk"]; st != want.Status || verifytest.Detail(rep, "disk") != want.Detail {
		t.Errorf("disk: %s %s\nwant  %s %s", st, verifytest.Detail(rep, "disk"), want.Status, want.Detail)
	}
}

func TestPreflightRefusesChangedHostKey(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	cfg := verifytest.Config(t, s)
	s.RotateHostKey(t)

	rep, err := Preflight(context.Background(), s.Host, cfg, ready(t, s))

	var changed *remote.HostKeyChangedError
	if !errors.As(err, &changed) {
		t.Fatalf("error %v, want a HostKeyChangedError", err)
	}
	if diff := cmp.Diff(map[string]verify.Status{"local nix": verify.OK, "keys": verify.OK, "build": verify.OK, "target": verify.OK, "host key": verify.Failed}, verifytest.Statuses(rep)); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	if got := verifytest.Detail(rep, "host key"); got != changed.Error() || !strings.Contains(got, "possible attack") {
		t.Errorf("host key detail = %q", got)
	}
}

func TestPreflightRefusedLogin(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	cfg := verifytest.Config(t, s)
	cfg.IdentityFile = filepath.Join(t.TempDir(), "id_stranger")
	sshtest.NewKeyFile(t, cfg.IdentityFile)

	rep, err := Preflight(context.Background(), s.Host, cfg, ready(t, s))

	var refused *remote.AuthError
	if !errors.As(err, &refused) {
		t.Fatalf("error %v, want an AuthError", err)
	}
	if st := verifytest.Statuses(rep)["login"]; st != verify.Failed {
		t.Errorf("login: %s %s", st, verifytest.Detail(rep, "login"))
	}
}

// A remote command that never ends (here cat of a FIFO nobody writes) is
// ended by ctx; the checks made before it stay in the report.
func TestPreflightStopsWithContext(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	o := ready(t, s)
	o.OSRelease = filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(o.OSRelease, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Opening the FIFO for writing returns once cat has opened it to read:
	// the check of the system is waiting, and the context ends then.
	opened := make(chan *os.File, 1)
	go func() {
		w, err := os.OpenFile(o.OSRelease, os.O_WRONLY, 0)
		if err != nil {
			t.Error(err)
		}
		cancel()
		opened <- w
	}()

	rep, err := Preflight(ctx, s.Host, verifytest.Config(t, s), o)

	if w := sshtest.Await(t, opened, "cat to open the FIFO"); w != nil {
		w.Close()
	}
	if !errors.Is(err, context.Canceled) || err.Error() != fmt.Sprintf("preflight of %s interrupted: %v", s.Host, context.Canceled) {
		t.Errorf("error = %v", err)
	}
	if st := verifytest.Statuses(rep)["system"]; st != verify.Failed || !strings.Contains(verifytest.Detail(rep, "system"), "context canceled") {
		t.Errorf("system: %s %s", st, verifytest.Detail(rep, "system"))
	}
	for _, name := range []string{"memory", "arch", "disk"} {
		if st := verifytest.Statuses(rep)[name]; st != verify.OK {
			t.Errorf("%s: %s %s; the checks before the interruption are kept", name, st, verifytest.Detail(rep, name))
		}
	}
}
