package sshtest

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/crypto/ssh"
)

// login opens a connection to s as its user.
func login(t *testing.T, s *Server) *ssh.Client {
	t.Helper()
	pem, err := os.ReadFile(s.ClientKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.ParsePrivateKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ssh.Dial("tcp", s.Addr, &ssh.ClientConfig{
		User: s.User, Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: ssh.FixedHostKey(s.hostKey),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Sessions get a home of the server's own, not the user's.
func TestSessionsHaveOwnHome(t *testing.T) {
	t.Parallel()
	s := Start(t)
	session, err := login(t, s).NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	out, err := session.Output(`echo "$HOME"`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), s.path("home")+"\n"; got != want {
		t.Errorf("HOME = %q, want %q", got, want)
	}
}

// A slow shell runs the command after its startup; one cut while starting
// leaves its lock behind, and the next session then fails instead of
// hanging. This is what the client's tests rely on to catch a cut.
func TestSlowShellCatchesCutStartup(t *testing.T) {
	t.Parallel()
	s := StartWith(t, Options{SlowShell: true})
	c := login(t, s)
	run := func(cmd string) (string, string, error) {
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
	stdout, stderr, err := run("echo $$; echo done")
	if err != nil || stderr != "sshtest: startup files read\n" {
		t.Fatalf("a slow shell: %v, stderr %q", err, stderr)
	}
	if _, err := strconv.Atoi(stdout[:len(stdout)-len("\ndone\n")]); err != nil || stdout[len(stdout)-len("done\n"):] != "done\n" {
		t.Errorf("stdout = %q, want the shell's pid and done", stdout)
	}

	s.HoldStartups(t)
	cut, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := cut.Start("true"); err != nil {
		t.Fatal(err)
	}
	s.WaitStarting(t)
	cut.Close()
	s.ReleaseStartups(t)
	// The shell dies on its startup line once its session is gone.
	waitUntil(t, "the cut shell to die", func() bool {
		pid, alive := s.startupLock()
		return pid != 0 && !alive
	})
	_, stderr, err = run("true")
	var exit *ssh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 99 || !bytes.Contains([]byte(stderr), []byte("was killed while starting and left")) {
		t.Errorf("after a cut startup: %v, stderr %q; want exit 99 naming the lock", err, stderr)
	}
	// Free the lock, or the server's cleanup fails this test.
	if err := os.RemoveAll(filepath.Join(s.dir, "startup.lock")); err != nil {
		t.Fatal(err)
	}
}
