package infect

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// fakeDroplet is a droplet's install traces in a temporary directory, served
// by a real sshd on loopback.
type fakeDroplet struct {
	t     *testing.T
	srv   *sshtest.Server
	paths Paths
	ssh   remote.Config
}

func newFakeDroplet(t *testing.T) *fakeDroplet {
	t.Helper()
	p := DefaultPaths().Under(t.TempDir())
	srv := sshtest.Start(t)
	d := &fakeDroplet{t: t, srv: srv, paths: p, ssh: remote.Config{
		User: srv.User, Port: srv.Port, IdentityFile: srv.ClientKeyFile, KnownHostsFile: srv.KnownHostsFile(t),
	}}
	sshtest.WriteFile(d.t, p.OSRelease, "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n")
	return d
}

// appendLog adds to the install log, as nixos-infect's output does.
func (d *fakeDroplet) appendLog(s string) {
	d.t.Helper()
	sshtest.AppendFile(d.t, d.paths.Log, s)
}

func (d *fakeDroplet) follower(log *sshtest.Buffer) Follower {
	return Follower{
		Host: d.srv.Host, SSH: d.ssh, Paths: d.paths, Log: log, Prefix: "infect: ",
		Poll: 20 * time.Millisecond, RebootTimeout: sshtest.HangLimit,
	}
}

// follow runs Follow in the background; the result arrives on the channel.
func follow(t *testing.T, f Follower) <-chan followResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), sshtest.HangLimit)
	done := make(chan followResult, 1)
	t.Cleanup(cancel) // ends a Follow that a failed test left running
	go func() {
		c, err := f.Follow(ctx)
		done <- followResult{c, err}
	}()
	return done
}

type followResult struct {
	c   *remote.Client
	err error
}

func TestFollowThroughReboot(t *testing.T) {
	d := newFakeDroplet(t)
	log := &sshtest.Buffer{}
	sshtest.WriteFile(d.t, d.paths.Status, "running\n")
	result := follow(t, d.follower(log))

	// The log grows while it is followed, a line at a time and in pieces.
	for i := 1; i <= 5; i++ {
		d.appendLog(fmt.Sprintf("building %d\n", i))
		time.Sleep(15 * time.Millisecond)
	}
	d.appendLog("copying path ")
	log.WaitFor(t, "infect: building 5\n")
	d.appendLog("/nix/store/abc\n")
	log.WaitFor(t, "infect: copying path /nix/store/abc\n")

	sshtest.WriteFile(d.t, d.paths.Status, "done\n")
	log.WaitFor(t, "nixos-infect done")

	// The reboot: sshd goes away with the connection, the last lines land
	// in the log meanwhile, and the droplet comes back as NixOS.
	d.srv.Stop(t)
	log.WaitFor(t, "the droplet is rebooting into NixOS")
	d.appendLog("nixos-systems: nixos-infect finished\n")
	sshtest.WriteFile(d.t, d.paths.OSRelease, "ID=nixos\n")
	time.Sleep(100 * time.Millisecond)
	d.srv.Restart(t)

	r := <-result
	if r.err != nil {
		t.Fatalf("Follow: %v\nlog:\n%s", r.err, log)
	}
	defer r.c.Close()
	if out, err := r.c.Output(context.Background(), "echo still logged in"); err != nil || string(out) != "still logged in\n" {
		t.Errorf("the returned client does not work: %q, %v", out, err)
	}
	got := log.String()
	for _, want := range []string{"answers SSH again after", "os nixos"} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %q:\n%s", want, got)
		}
	}
	var lines []string
	for _, l := range strings.Split(got, "\n") {
		if rest, ok := strings.CutPrefix(l, "infect: "); ok {
			lines = append(lines, rest)
		}
	}
	want := []string{"building 1", "building 2", "building 3", "building 4", "building 5", "copying path /nix/store/abc", "nixos-systems: nixos-infect finished"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("droplet's log lines, each once and in order:\n%s\nwant:\n%s\nwhole log:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"), got)
	}
}

func TestFollowReportsFailure(t *testing.T) {
	d := newFakeDroplet(t)
	log := &sshtest.Buffer{}
	sshtest.WriteFile(d.t, d.paths.Status, "running\n")
	d.appendLog("error: build of /nix/store/x-system failed\n")
	result := follow(t, d.follower(log))
	log.WaitFor(t, "infect: error: build of")
	sshtest.WriteFile(d.t, d.paths.Status, "failed nixos-infect exited 1\n")

	r := <-result
	var failed *FailedError
	if !errors.As(r.err, &failed) || failed.Reason != "nixos-infect failed: nixos-infect exited 1" {
		t.Fatalf("err = %v, want the droplet's reason", r.err)
	}
	if strings.Contains(r.err.Error(), "\n") {
		t.Errorf("not one line: %q", r.err)
	}
}

func TestFollowFailsWhenDropletStaysDown(t *testing.T) {
	d := newFakeDroplet(t)
	log := &sshtest.Buffer{}
	sshtest.WriteFile(d.t, d.paths.Status, "running\n")
	f := d.follower(log)
	f.RebootTimeout = 300 * time.Millisecond
	result := follow(t, f)
	log.WaitFor(t, "nixos-infect running")
	d.srv.Stop(t)

	r := <-result
	if r.err == nil || !strings.Contains(r.err.Error(), "did not come back within 300ms") || !strings.Contains(r.err.Error(), "recovery console") {
		t.Fatalf("err = %v, want a bounded wait pointing at the recovery console", r.err)
	}
	if !strings.Contains(log.String(), "while nixos-infect was not done") {
		t.Errorf("the drop was not reported:\n%s", log)
	}
}

func TestFollowFailsWhenDoneButNoReboot(t *testing.T) {
	d := newFakeDroplet(t)
	sshtest.WriteFile(d.t, d.paths.Status, "done\n")
	f := d.follower(&sshtest.Buffer{})
	f.RebootTimeout = 200 * time.Millisecond
	r := <-follow(t, f)
	var late *NotRebootedError
	if !errors.As(r.err, &late) || late.Host != d.srv.Host || late.Login != d.srv.User+"@"+d.srv.Host || late.For < f.RebootTimeout {
		t.Fatalf("err = %#v, want the missing reboot reported with the login to reboot it", r.err)
	}
	if want := fmt.Sprintf("nixos-infect finished %s ago but %s has not rebooted", late.For.Round(time.Second), d.srv.Host); r.err.Error() != want {
		t.Errorf("err = %q, want %q", r.err, want)
	}
}

func TestFollowCloudInitWithoutInfect(t *testing.T) {
	tests := []struct {
		state State
		want  string
	}{
		{State{OS: "debian", CloudInit: "done"}, "the droplet did not run the user data"},
		{State{OS: "debian", CloudInit: "error", Infect: "running"}, "cloud-init reports an error"},
		{State{OS: "debian", CloudInit: "done", Infect: "running"}, "it was killed"},
		{State{OS: "debian", CloudInit: "disabled"}, "use a stock image"},
		{State{OS: "debian", CloudInit: "running", Infect: "running"}, ""},
		{State{OS: "debian", CloudInit: "done", Infect: "done"}, ""},
		{State{OS: "nixos", Infect: "done"}, ""},
	}
	for _, tc := range tests {
		got := tc.state.failure()
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: failure %q, want %q", tc.state, got, tc.want)
		}
	}
}

func TestFollowAlreadyNixOS(t *testing.T) {
	d := newFakeDroplet(t)
	sshtest.WriteFile(d.t, d.paths.OSRelease, "ID=nixos\n")
	sshtest.WriteFile(d.t, d.paths.Status, "done\n")
	d.appendLog("one\ntwo\nthree\n")
	log := &sshtest.Buffer{}
	r := <-follow(t, d.follower(log))
	if r.err != nil {
		t.Fatal(r.err)
	}
	r.c.Close()
	if !strings.Contains(log.String(), "infect: one\ninfect: two\ninfect: three\n") {
		t.Errorf("the whole log was not shown:\n%s", log)
	}
}

func TestFollowStopsWithContext(t *testing.T) {
	d := newFakeDroplet(t)
	sshtest.WriteFile(d.t, d.paths.Status, "running\n")
	log := &sshtest.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := d.follower(log).Follow(ctx)
		done <- err
	}()
	log.WaitFor(t, "nixos-infect running")
	cancel()
	if err := sshtest.Await(t, done, "Follow to return after its context ended"); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want it to wrap context.Canceled", err)
	}
}
