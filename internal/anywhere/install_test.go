package anywhere

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

// transcript is a successful nixos-anywhere 1.13.0 run on a droplet, by
// phase. The step lines are those of src/nixos-anywhere.sh; the rest is what
// ssh-copy-id, the kexec script, disko and nixos-install print around them.
var transcript = []struct {
	phase  Phase
	output string
}{
	{PhaseBuild, `warning: Git tree '/home/op/nixos-systems' is dirty
/nix/store/7hd1p0bq3hq9h0dxy8v7ak2q2w5yx5ml-disko
/nix/store/0c9nxxw6b4vhl6l1hqvqz0z5x8c5p9cn-nixos-system-nixos-25.11.20260420.10e7ad5
`},
	{PhaseConnect, `### Uploading install SSH keys ###
/usr/bin/ssh-copy-id: INFO: Source of key(s) to be installed: "/tmp/tmp.PlM0ZMO3sN/nixos-anywhere.pub"
/usr/bin/ssh-copy-id: INFO: attempting to log in with the new key(s), to filter out any that are already installed
/usr/bin/ssh-copy-id: INFO: 1 key(s) remain to be installed -- if you are prompted now it is to install the new keys
Warning: Permanently added '203.0.113.7' (ED25519) to the list of known hosts.

Number of key(s) added: 1

Now try logging into the machine, with:   "ssh -o 'IdentitiesOnly=yes' -i /tmp/tmp.PlM0ZMO3sN/nixos-anywhere 'root@203.0.113.7'"
and check to make sure that only the key(s) you wanted were added.

### Gathering machine facts ###
Warning: Permanently added '203.0.113.7' (ED25519) to the list of known hosts.
`},
	{PhaseKexec, `### Switching system into kexec ###
Downloading kexec tarball, this may take a moment...
kexec/
kexec/initrd
kexec/kexec
kexec/run
kexec/bzImage
machine will boot into nixos in 6s...
Connection to 203.0.113.7 closed by remote host.
### Gathering machine facts ###
Warning: Permanently added '203.0.113.7' (ED25519) to the list of known hosts.
`},
	{PhaseDisko, `### Formatting hard drive with disko ###
umount: /mnt: not mounted
+ sgdisk --new=1:0:+1M --change-name=1:disk-disk1-boot --typecode=1:EF02 /dev/vda
Creating new GPT entries in memory.
The operation has completed successfully.
  Physical volume "/dev/disk/by-partlabel/disk-disk1-root" successfully created.
  Volume group "pool" successfully created
  Logical volume "root" created.
Creating filesystem with 20842496 4k blocks and 5210112 inodes
`},
	{PhaseInstall, `### Uploading the system closure ###
copying path '/nix/store/0c9nxxw6b4vhl6l1hqvqz0z5x8c5p9cn-nixos-system-nixos-25.11.20260420.10e7ad5' to 'ssh://root@203.0.113.7'...
### Installing NixOS ###
installing the boot loader...
installing the GRUB 2 boot loader on /dev/vda...
Installing for i386-pc platform.
Installation finished. No error reported.
installing the GRUB 2 boot loader into /boot...
Installing for x86_64-efi platform.
Installation finished. No error reported.
installation finished!
`},
	{PhaseReboot, `### Rebooting ###
### Waiting for the machine to become unreachable due to reboot ###
Connection to 203.0.113.7 closed by remote host.
`},
	{PhaseDone, "### Done! ###\n"},
}

// failures end a run in each phase the way nixos-anywhere and the tools it
// runs report it.
var failures = map[Phase]string{
	PhaseBuild:   "error: The option `services.cloud-init.setting' does not exist. Definition values:\n       - In `/nix/store/…-source/nixos-anywhere/digitalocean.nix'\n",
	PhaseConnect: "root@203.0.113.7: Permission denied (publickey).\naborted: Retrieving host facts via SSH failed. Check with --debug for the root cause, unless you have done so already\n",
	PhaseKexec:   "Kexec may have failed - check output above\nKexec failed\n",
	PhaseDisko:   "Error: Partition(s) 1 on /dev/vda have been written, but we have been unable to inform the kernel of the change, probably because it/they are in use.\n",
	PhaseInstall: "error: builder for '/nix/store/…-grub-config.xml.drv' failed with exit code 1\n",
	PhaseReboot:  "ssh: connect to host 203.0.113.7 port 22: Connection refused\n",
}

// upTo is the transcript's output up to and including phase p.
func upTo(p Phase) string {
	var b strings.Builder
	for _, part := range transcript {
		if part.phase <= p {
			b.WriteString(part.output)
		}
	}
	return b.String()
}

// scriptRunner plays output as nixos-anywhere would: step lines and tool
// output on stdout, warnings and errors on stderr, each write a line or less.
type scriptRunner struct {
	output string
	err    error // returned at the end
	block  bool  // then wait for ctx to end, as a hung run does
}

func (r scriptRunner) Run(ctx context.Context, c runner.Command) error {
	stdout, stderr := c.Stdout, c.Stderr
	for _, line := range strings.SplitAfter(r.output, "\n") {
		w := stdout
		if strings.HasPrefix(line, "Warning:") || strings.HasPrefix(line, "aborted:") || strings.HasPrefix(line, "error:") || strings.HasPrefix(line, "ssh:") {
			w = stderr
		}
		// Split every line in two writes: a step line may arrive in pieces.
		half := len(line) / 2
		io.WriteString(w, line[:half])
		io.WriteString(w, line[half:])
	}
	if r.block {
		<-ctx.Done()
		return ctx.Err()
	}
	return r.err
}

var errExit1 = errors.New("exit status 1")

func TestInstallFollowsPhases(t *testing.T) {
	var log bytes.Buffer
	err := Install(context.Background(), scriptRunner{output: upTo(PhaseDone)}, []string{"nixos-anywhere"}, &log)
	if err != nil {
		t.Fatal(err)
	}
	// The output passes through whole, with a note after each phase's first step.
	var want strings.Builder
	for _, part := range transcript {
		out := part.output
		if part.phase != PhaseBuild {
			first, rest, _ := strings.Cut(out, "###\n")
			out = fmt.Sprintf("%s###\n==> phase %s, after 0s\n%s", first, part.phase, rest)
		}
		want.WriteString(out)
	}
	if log.String() != want.String() {
		t.Errorf("log:\n%s\nwant:\n%s", log.String(), want.String())
	}
}

func TestInstallNamesFailedPhase(t *testing.T) {
	advice := map[Phase]string{
		PhaseBuild:   "the droplet was not touched",
		PhaseConnect: "changed nothing",
		PhaseKexec:   "use a droplet of at least 2 GB",
		PhaseDisko:   "nixos-anywhere/disk-config.nix",
		PhaseInstall: "the build errors above say why",
		PhaseReboot:  verify.RecoveryConsoleURL,
	}
	for p, tail := range failures {
		t.Run(p.String(), func(t *testing.T) {
			var log bytes.Buffer
			err := Install(context.Background(), scriptRunner{output: upTo(p) + tail, err: errExit1}, []string{"nixos-anywhere"}, &log)

			var ie *InstallError
			if !errors.As(err, &ie) || ie.Phase != p {
				t.Fatalf("error %v, want an InstallError in phase %s", err, p)
			}
			if want := "nixos-anywhere failed in phase " + p.String() + " (exit status 1"; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q does not start with %q", err, want)
			}
			if !strings.Contains(err.Error(), advice[p]) {
				t.Errorf("error %q lacks the advice %q", err, advice[p])
			}
			if !errors.Is(err, errExit1) {
				t.Errorf("error does not wrap the runner's")
			}
			if !strings.HasSuffix(log.String(), tail) {
				t.Errorf("log does not end with the failure:\n%s", log.String())
			}
		})
	}
}

// remoteBuild is how nixos-anywhere 1.13.0 goes on from kexec when this
// machine cannot build for x86_64-linux (a Mac without a builder): its
// trial build for x86_64-linux failed at the start, so it evaluates here
// and builds each part on the droplet just before it is needed.
var remoteBuild = []struct {
	phase  Phase
	output string
}{
	{PhaseBuild, "error: a 'x86_64-linux' with features {} is required to build '/nix/store/…-env-20260101120000.drv', but I am a 'aarch64-darwin' with features {benchmark, big-parallel, nixos-test}\n"},
	{PhaseDisko, "### Building disko script ###\ncopying path '/nix/store/…-disko.drv' to 'ssh-ng://root@203.0.113.7'...\n"},
	{PhaseDisko, "### Formatting hard drive with disko ###\n  Logical volume \"root\" created.\n"},
	{PhaseInstall, "### Building the system closure ###\nbuilding '/nix/store/…-nixos-system-nixos-25.11.drv'...\n"},
	{PhaseInstall, "### Installing NixOS ###\ninstallation finished!\n"},
}

// remoteUpTo is a run that builds on the droplet, through part i of remoteBuild.
func remoteUpTo(i int) string {
	// Connect and kexec as in transcript, with the trial build's error before them.
	out := remoteBuild[0].output + strings.TrimPrefix(upTo(PhaseKexec), transcript[0].output)
	for _, part := range remoteBuild[1 : i+1] {
		out += part.output
	}
	return out
}

// The log says once that the system is built on the droplet; a failure
// while it builds there is the build's, whatever phase it falls in.
func TestInstallBuildingOnTheDroplet(t *testing.T) {
	note := "==> building on the droplet, in the installer's RAM: this machine cannot build for x86_64-linux\n"
	var log bytes.Buffer
	out := remoteUpTo(len(remoteBuild)-1) + upTo(PhaseDone)[len(upTo(PhaseInstall)):]
	if err := Install(context.Background(), scriptRunner{output: out}, []string{"nixos-anywhere"}, &log); err != nil {
		t.Fatal(err)
	}
	if got := log.String(); strings.Count(got, note) != 1 || !strings.Contains(got, "### Building disko script ###\n==> phase disko, after 0s\n"+note) {
		t.Errorf("log does not say once, at the disko script, that it builds on the droplet:\n%s", got)
	}

	for _, tc := range []struct {
		part    int
		failure string
		phase   Phase
		left    string
	}{
		{1, "error: The option `services.cloud-init.setting' does not exist.\n", PhaseDisko, "the disk is untouched and the droplet runs the installer"},
		{3, "error: builder for '/nix/store/…-linux-6.12.drv' failed due to signal 9 (Killed)\n", PhaseInstall, "/dev/vda is partitioned and the droplet runs the installer"},
	} {
		err := Install(context.Background(), scriptRunner{output: remoteUpTo(tc.part) + tc.failure, err: errExit1}, []string{"nixos-anywhere"}, io.Discard)

		var ie *InstallError
		if !errors.As(err, &ie) || ie.Phase != tc.phase || !ie.BuildFailed() {
			t.Fatalf("error %v, want a failed build in phase %s", err, tc.phase)
		}
		want := "nixos-anywhere failed in phase " + tc.phase.String() + " (exit status 1): the build on the droplet failed " +
			"(nixos-anywhere builds there, in the NixOS installer's RAM, when this machine cannot build for x86_64-linux): " +
			"the Nix errors above say why, and a build that was killed ran out of that RAM (an x86_64-linux builder here avoids both the wait and the RAM); " + tc.left
		if err.Error() != want {
			t.Errorf("error\n%s\nwant\n%s", err, want)
		}
	}

	// After the build, a failure is the disk's or the install's again.
	err := Install(context.Background(), scriptRunner{output: remoteUpTo(2) + failures[PhaseDisko], err: errExit1}, []string{"nixos-anywhere"}, io.Discard)
	var ie *InstallError
	if !errors.As(err, &ie) || ie.BuildFailed() || !strings.Contains(err.Error(), "partitioning /dev/vda failed") {
		t.Errorf("error %v, want disko's failure", err)
	}
}

func TestInstallQuotesAbortMessage(t *testing.T) {
	out := upTo(PhaseKexec) + "aborted: Failed to kexec into NixOS installer\n"
	err := Install(context.Background(), scriptRunner{output: out, err: errExit1}, []string{"nixos-anywhere"}, io.Discard)
	want := "nixos-anywhere failed in phase kexec (exit status 1: Failed to kexec into NixOS installer): " +
		"the droplet did not come up in the NixOS installer, most often for lack of RAM or a hang: use a droplet of at least 2 GB; " +
		"the disk is untouched, so power-cycling the droplet in the DigitalOcean control panel brings the old system back"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
}

func TestInstallStoppedByTimeout(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	// After kexec nixos-anywhere waits for SSH without a bound; a droplet
	// too small for the installer never answers.
	out := strings.TrimSuffix(upTo(PhaseKexec), "### Gathering machine facts ###\nWarning: Permanently added '203.0.113.7' (ED25519) to the list of known hosts.\n")

	err := Install(ctx, scriptRunner{output: out, block: true}, []string{"nixos-anywhere"}, io.Discard)

	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want DeadlineExceeded", err)
	}
	if !strings.HasPrefix(err.Error(), "nixos-anywhere was stopped after ") || !strings.Contains(err.Error(), " in phase kexec, the time allowed: the droplet did not come up") {
		t.Errorf("error = %v\nwant it stopped in phase kexec, the droplet not come up", err)
	}
}

// An interruption is said to be one, with where it left the droplet, not
// blamed on errors nixos-anywhere never printed.
func TestInstallInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Install(ctx, scriptRunner{output: upTo(PhaseDisko), block: true}, []string{"nixos-anywhere"}, io.Discard)
	if !errors.Is(err, context.Canceled) || err.Error() != "nixos-anywhere was interrupted after 0s in phase disko: the droplet runs the installer with a half-written disk" {
		t.Errorf("error = %v", err)
	}
	for _, stop := range []func() (context.Context, context.CancelFunc){
		func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
		func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), time.Nanosecond)
		},
	} {
		ctx, cancel := stop()
		cancel()
		err = Install(ctx, scriptRunner{block: true}, []string{"nixos-anywhere"}, io.Discard)
		if !strings.Contains(err.Error(), " in phase build") || !strings.HasSuffix(err.Error(), ": it had not touched the droplet yet") || strings.Contains(err.Error(), "errors above") {
			t.Errorf("stopped while building: %v", err)
		}
	}
}

func TestInstallWithoutNix(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	err := Install(context.Background(), nil, []string{"nix", "run"}, io.Discard)
	want := "run nix: exec: \"nix\": executable file not found in $PATH; install Nix, or run inside `nix develop`"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
}

// Whether the droplet's old system is still on its disk decides whether up
// takes a droplet back from its detour after a failed install.
func TestInstallErrorDiskUntouched(t *testing.T) {
	for _, tc := range []struct {
		err  InstallError
		want bool
	}{
		{InstallError{Phase: PhaseBuild}, true},
		{InstallError{Phase: PhaseConnect, Step: "Gathering machine facts"}, true},
		{InstallError{Phase: PhaseKexec, Step: "Switching system into kexec"}, true},
		{InstallError{Phase: PhaseDisko, Step: "Building disko script"}, true},
		{InstallError{Phase: PhaseDisko, Step: "Formatting hard drive with disko"}, false},
		{InstallError{Phase: PhaseInstall, Step: "Building the system closure"}, false},
		{InstallError{Phase: PhaseReboot, Step: "Rebooting"}, false},
	} {
		if got := tc.err.DiskUntouched(); got != tc.want {
			t.Errorf("%s after %q: DiskUntouched = %t, want %t", tc.err.Phase, tc.err.Step, got, tc.want)
		}
	}
	interrupted := &InstallError{Phase: PhaseDisko, Step: "Building disko script", Err: context.Canceled}
	if want := "the disk is untouched and the droplet runs the installer"; !strings.HasSuffix(interrupted.Error(), want) {
		t.Errorf("%v\nwant it to end with %q", interrupted, want)
	}
}
