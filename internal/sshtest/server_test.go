package sshtest_test

import (
	"bytes"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// dial logs in to s with its client key, checking its host key against knownHosts.
func dial(t *testing.T, s *sshtest.Server, knownHosts string) (*ssh.Client, error) {
	t.Helper()
	pem, err := os.ReadFile(s.ClientKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.ParsePrivateKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	check, err := knownhosts.New(knownHosts)
	if err != nil {
		t.Fatal(err)
	}
	return ssh.Dial("tcp", s.Addr, &ssh.ClientConfig{
		User:            s.User,
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: check,
		Timeout:         5 * time.Second,
	})
}

func run(t *testing.T, c *ssh.Client, cmd string) string {
	t.Helper()
	session, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	out, err := session.Output(cmd)
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	return string(out)
}

func TestStartServesClientKey(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)

	if want := net.JoinHostPort(s.Host, strconv.Itoa(s.Port)); s.Addr != want || s.Host != "127.0.0.1" {
		t.Errorf("Addr = %q, Host = %q, Port = %d; want 127.0.0.1 and Addr %q", s.Addr, s.Host, s.Port, want)
	}
	info, err := os.Stat(s.ClientKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("client key mode = %o, want 600", mode)
	}
	var seen string
	pem, _ := os.ReadFile(s.ClientKeyFile)
	signer, err := ssh.ParsePrivateKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ssh.Dial("tcp", s.Addr, &ssh.ClientConfig{
		User: s.User,
		Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: func(_ string, _ net.Addr, key ssh.PublicKey) error {
			seen = ssh.FingerprintSHA256(key)
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if seen != s.HostKeyFingerprint {
		t.Errorf("server offered %s, HostKeyFingerprint = %s", seen, s.HostKeyFingerprint)
	}
	if diff := cmp.Diff(s.User+"\n", run(t, c, "id -un")); diff != "" {
		t.Errorf("id -un (-want +got):\n%s", diff)
	}
}

func TestKnownHostsFileTrustsServer(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	path := s.KnownHostsFile(t)

	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("known_hosts mode = %o, want 600", mode)
	}
	c, err := dial(t, s, path)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

func TestStopRefusesAndRestartKeepsPortAndKey(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	knownHosts := s.KnownHostsFile(t)
	addr, fingerprint := s.Addr, s.HostKeyFingerprint
	c, err := dial(t, s, knownHosts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	s.Stop(t)
	if _, err := c.NewSession(); err == nil {
		t.Error("connection survived Stop")
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial stopped server: %v, want connection refused", err)
	}

	s.Restart(t)
	if s.Addr != addr || s.HostKeyFingerprint != fingerprint {
		t.Errorf("after Restart: %s %s, want %s %s", s.Addr, s.HostKeyFingerprint, addr, fingerprint)
	}
	c2, err := dial(t, s, knownHosts)
	if err != nil {
		t.Fatalf("dial after Restart: %v", err)
	}
	c2.Close()
}

func TestStopEndsRunningCommands(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	c, err := dial(t, s, s.KnownHostsFile(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	session, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := session.Start("sleep 30"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- session.Wait() }()

	s.Stop(t)
	if err := sshtest.Await(t, done, "the command to end after Stop"); err == nil {
		t.Error("sleep 30 exited cleanly through Stop")
	}
}

func TestRotateHostKey(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	oldKnownHosts, oldFingerprint := s.KnownHostsFile(t), s.HostKeyFingerprint

	s.RotateHostKey(t)
	if s.HostKeyFingerprint == oldFingerprint {
		t.Fatal("RotateHostKey kept the fingerprint")
	}
	var keyErr *knownhosts.KeyError
	if _, err := dial(t, s, oldKnownHosts); !errors.As(err, &keyErr) || len(keyErr.Want) == 0 {
		t.Errorf("dial with the old known_hosts: %v, want a key mismatch", err)
	}
	c, err := dial(t, s, s.KnownHostsFile(t))
	if err != nil {
		t.Fatalf("dial with the new known_hosts: %v", err)
	}
	c.Close()
}

// Sessions get a home of the server's own, not the user's.
func TestSessionsHaveOwnHome(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	c, err := dial(t, s, s.KnownHostsFile(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, want := run(t, c, `echo "$HOME"`), s.Home()+"\n"; got != want {
		t.Errorf("HOME = %q, want %q", got, want)
	}
}

// A slow shell runs the command after its startup; one cut while starting
// leaves its lock behind, and the next session then fails instead of
// hanging. This is what the client's tests rely on to catch a cut.
func TestSlowShellCatchesCutStartup(t *testing.T) {
	t.Parallel()
	s := sshtest.StartWith(t, sshtest.Options{SlowShell: true})
	c, err := dial(t, s, s.KnownHostsFile(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	runStderr := func(cmd string) (string, string, error) {
		session, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		defer session.Close()
		var stdout, stderr bytes.Buffer
		session.Stdout, session.Stderr = &stdout, &stderr
		err = session.Run(cmd)
		return stdout.String(), stderr.String(), err
	}
	if stdout, stderr, err := runStderr("echo done"); err != nil || stdout != "done\n" || stderr != "sshtest: startup files read\n" {
		t.Fatalf("a slow shell: %v, stdout %q, stderr %q", err, stdout, stderr)
	}

	// Cut a shell while it starts: its connection goes, and only once sshd
	// has let go of it (its parent gone) may it print its startup line.
	s.HoldStartups(t)
	cutConn, err := dial(t, s, s.KnownHostsFile(t))
	if err != nil {
		t.Fatal(err)
	}
	cut, err := cutConn.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := cut.Start("true"); err != nil {
		t.Fatal(err)
	}
	shell := s.WaitStarting(t)
	parent := sshtest.ParentOf(shell)
	cutConn.Close()
	sshtest.WaitOrphaned(t, shell, parent)
	s.ReleaseStartups(t)
	sshtest.WaitGone(t, shell) // killed by its startup line, nobody reading it

	_, stderr, err := runStderr("true")
	var exit *ssh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 99 || !strings.Contains(stderr, "was killed while starting and left") {
		t.Errorf("after a cut startup: %v, stderr %q; want exit 99 naming the lock", err, stderr)
	}
	s.ClearStartupLock(t)
}
