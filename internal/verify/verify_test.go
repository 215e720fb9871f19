package verify_test

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify/verifytest"
)

// nixosRelease is /etc/os-release of an installed NixOS 25.11.
const nixosRelease = `ANSI_COLOR="0;38;2;126;186;228"
BUG_REPORT_URL="https://github.com/NixOS/nixpkgs/issues"
BUILD_ID="25.11.20260420.10e7ad5"
CPE_NAME="cpe:/o:nixos:nixos:25.11"
DEFAULT_HOSTNAME=nixos
DOCUMENTATION_URL="https://nixos.org/learn.html"
HOME_URL="https://nixos.org/"
ID=nixos
ID_LIKE=""
IMAGE_ID=""
IMAGE_VERSION=""
LOGO="nix-snowflake"
NAME=NixOS
PRETTY_NAME="NixOS 25.11 (Xantusia)"
VERSION="25.11 (Xantusia)"
VERSION_CODENAME=xantusia
VERSION_ID="25.11"
`

// bootedUnits is what systemd says of a boot that finished with no unit
// failed, as the "units" check asks it.
const bootedUnits = "state: running\n"

// hasIPv6Loopback reports whether ::1 is configured here; containers often
// run with IPv6 off.
func hasIPv6Loopback(t *testing.T) bool {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.Equal(net.IPv6loopback) {
			return true
		}
	}
	return false
}

func TestRunPassesOnNixOS(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	want := verify.Expect{
		IPv4: "127.0.0.1", OSRelease: sshtest.TempFile(t, "os-release", nixosRelease), Units: sshtest.TempFile(t, "units", bootedUnits),
		WaitTimeout: 5 * time.Second, Poll: 20 * time.Millisecond,
	}
	wantChecks := map[string]verify.Status{"ssh": verify.OK, "host key": verify.OK, "login": verify.OK, "nixos": verify.OK, "ipv4": verify.OK, "units": verify.OK}
	if hasIPv6Loopback(t) {
		want.IPv6 = "::1"
		wantChecks["ipv6"] = verify.OK
	}

	rep, err := verify.Run(context.Background(), s.Host, verifytest.Config(t, s), want)

	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantChecks, verifytest.Statuses(rep)); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	if got := verifytest.Detail(rep, "nixos"); got != "NixOS 25.11 (Xantusia) (ID=nixos)" {
		t.Errorf("nixos detail = %q", got)
	}
	if got := verifytest.Detail(rep, "host key"); !strings.HasPrefix(got, s.HostKeyFingerprint) {
		t.Errorf("host key detail = %q, want it to start with %s", got, s.HostKeyFingerprint)
	}
	if rep.Subject != "verify 127.0.0.1" || rep.Checks[0].Name != "ssh" {
		t.Errorf("report %q starts with %q, want ssh first", rep.Subject, rep.Checks[0].Name)
	}
}

// Failed units, or a boot that has not finished, are warnings: the
// system answers, runs NixOS and holds its addresses, so the route goes on.
// Only an installed NixOS is asked.
func TestRunWarnsOfFailedUnits(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	growpart := "growpart.service loaded failed failed Grow the root partition\n"
	for _, tc := range []struct {
		name, units, release string
		want                 map[string]verify.Status
		detail               string
	}{
		{
			name: "degraded", units: "state: degraded\n" + growpart + "cloud-final.service loaded failed failed Cloud-init final stage\n", release: nixosRelease,
			want: map[string]verify.Status{"ssh": verify.OK, "host key": verify.OK, "login": verify.OK, "nixos": verify.OK, "units": verify.Warning},
			detail: "degraded, failed: growpart.service, cloud-final.service; " +
				"`systemctl status growpart.service` and `journalctl -b -u growpart.service` on the droplet say why",
		},
		{
			name: "boot unfinished", units: "state: \n", release: nixosRelease,
			want:   map[string]verify.Status{"ssh": verify.OK, "host key": verify.OK, "login": verify.OK, "nixos": verify.OK, "units": verify.Warning},
			detail: "the boot had not finished 2m after SSH answered (`systemctl list-jobs` on the droplet shows what it waits for), and no unit has failed",
		},
		{
			name: "maintenance", units: "state: maintenance\n", release: nixosRelease,
			want:   map[string]verify.Status{"ssh": verify.OK, "host key": verify.OK, "login": verify.OK, "nixos": verify.OK, "units": verify.Warning},
			detail: `systemd says "maintenance" (` + "`systemctl is-system-running`" + `), and no unit has failed`,
		},
		{
			name: "not NixOS", units: "state: degraded\n" + growpart, release: debianRelease,
			want: map[string]verify.Status{"ssh": verify.OK, "host key": verify.OK, "login": verify.OK, "nixos": verify.Failed},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := verify.Run(context.Background(), s.Host, verifytest.Config(t, s), verify.Expect{
				OSRelease: sshtest.TempFile(t, "os-release", tc.release), Units: sshtest.TempFile(t, "units", tc.units),
				Poll: 20 * time.Millisecond,
			})
			if diff := cmp.Diff(tc.want, verifytest.Statuses(rep)); diff != "" {
				t.Errorf("checks (-want +got):\n%s", diff)
			}
			if tc.detail == "" {
				return
			}
			if err != nil {
				t.Errorf("error %v: a warning is no failure", err)
			}
			if got := verifytest.Detail(rep, "units"); got != tc.detail {
				t.Errorf("units detail\n%s\nwant\n%s", got, tc.detail)
			}
			if wantKind := tc.name == "degraded"; errors.Is(verifytest.Err(rep, "units"), verify.ErrDegraded) != wantKind {
				t.Errorf("units error %v: ErrDegraded is %v, want %v", verifytest.Err(rep, "units"), !wantKind, wantKind)
			}
		})
	}
}

// debianRelease is /etc/os-release of a droplet that still runs Debian.
const debianRelease = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n"

// This machine, with Debian's /etc/os-release, is a droplet that did not
// become NixOS, whatever system it runs.
func TestRunReportsADropletThatIsNotNixOS(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)

	rep, err := verify.Run(context.Background(), s.Host, verifytest.Config(t, s), verify.Expect{
		IPv4: "203.0.113.9", Layout: true, OSRelease: sshtest.TempFile(t, "os-release", debianRelease),
	})

	want := map[string]verify.Status{"ssh": verify.OK, "host key": verify.OK, "login": verify.OK, "nixos": verify.Failed, "layout": verify.Failed, "ipv4": verify.Failed}
	if diff := cmp.Diff(want, verifytest.Statuses(rep)); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	if got := verifytest.Detail(rep, "nixos"); got != "Debian GNU/Linux 12 (bookworm) (ID=debian) is not NixOS: the droplet still boots its old system" {
		t.Errorf("nixos detail = %q", got)
	}
	// No test machine has disk-config.nix's layout, whatever disks it has.
	if got := verifytest.Detail(rep, "layout"); !strings.Contains(got, "disk-config.nix") {
		t.Errorf("layout detail = %q", got)
	}
	if got := verifytest.Detail(rep, "ipv4"); !strings.HasPrefix(got, "203.0.113.9, the droplet's address, is not configured (the machine has 127.0.0.1/8") {
		t.Errorf("ipv4 detail = %q", got)
	}
	var failure *verify.Failure
	if !errors.As(err, &failure) || len(failure.Checks) != 3 {
		t.Fatalf("error %v, want a Failure of 3 checks", err)
	}
	if !strings.HasPrefix(err.Error(), "verify 127.0.0.1 failed: nixos: ") || !strings.HasSuffix(err.Error(), "use DigitalOcean's recovery console: "+verify.RecoveryConsoleURL) {
		t.Errorf("error = %v", err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error is not one line: %q", err)
	}
}

func TestRunReportsUnreadableOSRelease(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	missing := filepath.Join(t.TempDir(), "os-release")

	rep, err := verify.Run(context.Background(), s.Host, verifytest.Config(t, s), verify.Expect{OSRelease: missing})

	want := "read " + missing + `: remote command "cat ` + missing + `" exited 1: cat: ` + missing + ": No such file or directory"
	if got := verifytest.Detail(rep, "nixos"); got != want {
		t.Errorf("nixos detail = %q\nwant %q", got, want)
	}
	var exit *remote.ExitError
	if !errors.As(err, &exit) || exit.Status != 1 {
		t.Errorf("error %v does not carry the remote exit status", err)
	}
}

func TestRunWaitsThroughReboot(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	cfg := verifytest.Config(t, s)
	s.Stop(t)
	var log sshtest.Buffer
	done := make(chan error, 1)
	go func() {
		_, err := verify.Run(context.Background(), s.Host, cfg, verify.Expect{
			OSRelease: sshtest.TempFile(t, "os-release", nixosRelease), Units: sshtest.TempFile(t, "units", bootedUnits),
			WaitTimeout: sshtest.HangLimit, Poll: 20 * time.Millisecond, Log: &log,
		})
		done <- err
	}()
	time.Sleep(500 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("Run returned while the server was down: %v", err)
	default:
	}
	s.Restart(t)

	if err := sshtest.Await(t, done, "Run to return after the server came back"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(log.String(), "waiting up to "+sshtest.HangLimit.String()+" for SSH on "+s.Addr+"\n") || !strings.Contains(log.String(), s.Addr+" answers SSH after ") {
		t.Errorf("log:\n%s", log.String())
	}
}

func TestRunGivesUpWaiting(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	cfg := verifytest.Config(t, s)
	s.Stop(t)

	rep, err := verify.Run(context.Background(), s.Host, cfg, verify.Expect{WaitTimeout: 300 * time.Millisecond, Poll: 20 * time.Millisecond})

	if diff := cmp.Diff(map[string]verify.Status{"ssh": verify.Failed}, verifytest.Statuses(rep)); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	if got := verifytest.Detail(rep, "ssh"); !strings.HasPrefix(got, "no answer within 300ms: wait for ssh on "+s.Addr) {
		t.Errorf("ssh detail = %q", got)
	}
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), verify.RecoveryConsoleURL) {
		t.Errorf("error = %v", err)
	}
}

func TestRunStopsWhenInterrupted(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	cfg := verifytest.Config(t, s)
	s.Stop(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()

	rep, err := verify.Run(ctx, s.Host, cfg, verify.Expect{Poll: 20 * time.Millisecond})

	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "interrupted while waiting for SSH") {
		t.Errorf("error = %v", err)
	}
	if len(rep.Checks) != 0 {
		t.Errorf("an interrupted wait reported checks: %v", rep.Checks)
	}
}

func TestRunRefusesChangedHostKey(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	cfg := verifytest.Config(t, s)
	old := s.HostKeyFingerprint
	s.RotateHostKey(t)

	rep, err := verify.Run(context.Background(), s.Host, cfg, verify.Expect{OSRelease: sshtest.TempFile(t, "os-release", nixosRelease), Poll: 20 * time.Millisecond})

	var changed *remote.HostKeyChangedError
	if !errors.As(err, &changed) || changed.Want != old || changed.Got != s.HostKeyFingerprint {
		t.Fatalf("error %v, want a HostKeyChangedError from %s to %s", err, old, s.HostKeyFingerprint)
	}
	if diff := cmp.Diff(map[string]verify.Status{"ssh": verify.OK, "host key": verify.Failed}, verifytest.Statuses(rep)); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	if got := verifytest.Detail(rep, "host key"); got != changed.Error() {
		t.Errorf("host key detail = %q, want the HostKeyChangedError's explanation", got)
	}
}
