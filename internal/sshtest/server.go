package sshtest

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// debianSSHD is where Debian's openssh-server installs the daemon, outside
// a plain user's PATH.
const debianSSHD = "/usr/sbin/sshd"

// restartGap is how long Restart leaves the port refusing connections.
const restartGap = 200 * time.Millisecond

// startTimeout bounds how long sshd may take to answer after it is started.
const startTimeout = 10 * time.Second

// Options say where the server listens and how its sessions start; the
// zero value suits most tests.
type Options struct {
	Host string // loopback address (any of 127.0.0.0/8); "" = 127.0.0.1
	Port int    // 0 = a free one

	// SlowShell makes every session's shell, before it runs the command,
	// do what slow startup files do: take a lock, as shells that lock their
	// history file do, sleep ShellStartup, wait while the test holds
	// startups (HoldStartups), print a line to stderr, and only then let the
	// lock go. A shell killed while starting (its session cut, so that the
	// line kills it with SIGPIPE, or the server stopped) leaves the lock
	// behind; later sessions then fail with exit status 99 instead of
	// hanging as real shells do, and the test fails when it ends.
	SlowShell bool
	// ShellStartup is how long a slow shell sleeps while starting.
	ShellStartup time.Duration
}

// Server is a running sshd that accepts ClientKeyFile for User.
type Server struct {
	Addr               string // 127.0.0.1:port
	Host               string // 127.0.0.1
	Port               int
	User               string // the user running the test, whom sshd logs in
	ClientKeyFile      string // private key authorized on the server, mode 0600
	HostKeyFingerprint string // SHA256:... of the current host key

	opts    Options
	sshd    string // the daemon, by absolute path: sshd re-executes itself
	dir     string // holds keys, config, pid file, log and the sessions' home
	hostKey ssh.PublicKey
	cmd     *exec.Cmd
	exited  chan struct{} // closed once cmd has been waited for
	waitErr error         // how sshd exited, once exited is closed
}

// Start starts sshd on a free loopback port and stops it when the test ends,
// logging sshd's output if the test failed. Without sshd the test fails,
// naming the package to install: a skip would hide that nothing ran.
//
// Sessions log in the user running the test, with HOME set to a directory
// of the server's own: the user's startup files neither slow the tests down
// nor get anything left behind when a test cuts a session.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWith(t, Options{})
}

// StartOn is Start on the loopback address host (any of 127.0.0.0/8) and
// port, 0 for a free one: servers at several addresses on one port stand
// in for several machines that a tool reaches on the same port.
func StartOn(t testing.TB, host string, port int) *Server {
	t.Helper()
	return StartWith(t, Options{Host: host, Port: port})
}

// StartWith is Start with options.
func StartWith(t testing.TB, o Options) *Server {
	t.Helper()
	sshd := debianSSHD
	if _, err := os.Stat(sshd); err != nil {
		// Elsewhere (NixOS, `nix develop`) sshd is on PATH.
		sshd = Require(t, "sshd", "openssh-server")
	}
	u, err := user.Current()
	if err != nil {
		t.Fatalf("look up the current user: %v", err)
	}
	if os.Geteuid() == 0 {
		// sshd started by root refuses to run without its privilege
		// separation directory, which only the openssh-server service creates.
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			t.Fatalf("create sshd's privilege separation directory: %v", err)
		}
	}
	host, port := cmp.Or(o.Host, "127.0.0.1"), o.Port
	dir := t.TempDir()
	s := &Server{
		Host:          host,
		User:          u.Username,
		ClientKeyFile: filepath.Join(dir, "client_ed25519"),
		opts:          o,
		sshd:          sshd,
		dir:           dir,
	}
	if err := os.Mkdir(s.path("home"), 0o700); err != nil {
		t.Fatalf("create the sessions' home: %v", err)
	}
	if o.SlowShell {
		s.writeStartup(t)
	}
	clientKey := writeKey(t, s.ClientKeyFile)
	if err := os.WriteFile(s.path("authorized_keys"), ssh.MarshalAuthorizedKey(clientKey), 0o600); err != nil {
		t.Fatalf("write authorized_keys: %v", err)
	}
	s.newHostKey(t)
	t.Cleanup(func() {
		if o.SlowShell {
			s.checkStartupLock(t)
		}
		s.Stop(t)
		if t.Failed() {
			s.logOutput(t)
		}
	})

	// Another process can take the port between our probe and sshd's bind;
	// sshd then exits and a fresh port is tried.
	for attempt := 1; ; attempt++ {
		if port != 0 {
			s.setPort(t, port)
		} else {
			s.setPort(t, FreePort(t, host))
		}
		err := s.launch()
		if err == nil {
			return s
		}
		if attempt == 3 || port != 0 {
			t.Fatalf("start sshd: %v", err)
		}
		t.Logf("start sshd on port %d: %v; trying another port", s.Port, err)
	}
}

// Stop kills sshd, every connection it serves and everything they run, as
// a power cut would. Stopping a stopped server does nothing.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	if err := s.halt(); err != nil {
		t.Fatal(err)
	}
}

func (s *Server) halt() error {
	if s.cmd == nil {
		return nil
	}
	pid := s.cmd.Process.Pid
	// Freeze first, then kill: a process killed while its parent runs on
	// can be replaced by a child forked meanwhile (sshd forks a connection's
	// user process after the login), which would keep the connection alive.
	// Stopped processes fork nothing, so the tree is complete once a search
	// finds nothing new.
	frozen := map[int]bool{pid: true}
	_ = syscall.Kill(pid, syscall.SIGSTOP)
	for grew := true; grew; {
		grew = false
		for _, p := range append(descendants(pid), processesWithEnv(s.marker())...) {
			if !frozen[p] {
				frozen[p], grew = true, true
				_ = syscall.Kill(p, syscall.SIGSTOP)
			}
		}
	}
	for p := range frozen {
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
	select {
	case <-s.exited:
	case <-time.After(startTimeout):
		return fmt.Errorf("sshd (pid %d) did not exit after SIGKILL", pid)
	}
	s.cmd = nil
	return nil
}

// marker is the environment entry sshd gives every session of this server,
// by which Stop finds what its sessions run even once their parent is gone.
func (s *Server) marker() string { return "SSHTEST_SERVER=" + s.dir }

// Restart stops the server, leaves its port refusing connections for a
// moment, as a rebooting machine does, and starts it again on the same port
// with the same host key. A stopped server just starts.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if s.cmd != nil {
		s.Stop(t)
		time.Sleep(restartGap)
	}
	if err := s.launch(); err != nil {
		t.Fatalf("restart sshd on port %d: %v", s.Port, err)
	}
}

// RotateHostKey gives the server a new host key and restarts it, as a
// reinstall that did not keep the old keys does.
func (s *Server) RotateHostKey(t testing.TB) {
	t.Helper()
	s.newHostKey(t)
	s.Restart(t)
}

// KnownHostsFile writes a known_hosts file, mode 0600, that trusts the
// server's current host key.
func (s *Server) KnownHostsFile(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "known_hosts")
	line := knownhosts.Line([]string{s.Addr}, s.hostKey) + "\n"
	if err := os.WriteFile(path, []byte(line), 0o600); err != nil {
		t.Fatalf("write known_hosts: %v", err)
	}
	return path
}

// Authorize lets the private key in keyFile log in too, as the client
// key of another Server, so that one identity reaches several servers.
func (s *Server) Authorize(t testing.TB, keyFile string) {
	t.Helper()
	AppendFile(t, s.path("authorized_keys"), AuthorizedKey(t, keyFile)+"\n")
}

// HostPublicKey is the server's current host key as a line of an
// ssh_host_*_key.pub file.
func (s *Server) HostPublicKey() string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.hostKey)))
}

func (s *Server) path(name string) string { return filepath.Join(s.dir, name) }

func (s *Server) newHostKey(t testing.TB) {
	t.Helper()
	s.hostKey = writeKey(t, s.path("host_ed25519"))
	s.HostKeyFingerprint = ssh.FingerprintSHA256(s.hostKey)
}

func (s *Server) setPort(t testing.TB, port int) {
	t.Helper()
	s.Port = port
	s.Addr = net.JoinHostPort(s.Host, strconv.Itoa(port))
	lines := []string{
		"ListenAddress " + s.Addr,
		"HostKey " + s.path("host_ed25519"),
		"AuthorizedKeysFile " + s.path("authorized_keys"),
		"PidFile " + s.path("sshd.pid"),
		"PermitRootLogin prohibit-password",
		"PubkeyAuthentication yes",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"UsePAM no",
		// The temp dir has neither the owner nor the modes sshd wants of a home.
		"StrictModes no",
		"LogLevel VERBOSE",
		"Subsystem sftp internal-sftp",
		// Tests log in many times at once; sshd's default drops connections
		// beyond 10 that are still logging in.
		"MaxStartups 100",
		// The user's own ~/.ssh/rc and startup files stay out of the tests.
		"PermitUserRC no",
		"SetEnv HOME=" + s.path("home") + " " + s.marker(),
	}
	if s.opts.SlowShell {
		// sshd runs this with the user's shell, which sources the startup
		// script and then runs the client's command itself, so the command
		// keeps the pid and process group of the shell sshd started.
		lines = append(lines, "ForceCommand . "+s.path("startup.sh"))
	}
	config := strings.Join(lines, "\n") + "\n"
	if err := os.WriteFile(s.path("sshd_config"), []byte(config), 0o600); err != nil {
		t.Fatalf("write sshd_config: %v", err)
	}
}

// launch starts sshd in the foreground and waits until it is the one
// listening on s.Addr and answers there with its banner.
func (s *Server) launch() error {
	if err := os.Remove(s.path("sshd.pid")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	logFile, err := os.OpenFile(s.path("sshd.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd := exec.Command(s.sshd, "-D", "-e", "-f", s.path("sshd_config"))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func(exited chan struct{}) {
		s.waitErr = cmd.Wait()
		close(exited)
	}(s.exited)

	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-s.exited:
			s.cmd = nil
			return fmt.Errorf("sshd exited at start (%v): %s", s.waitErr, s.lastLog())
		default:
		}
		// sshd writes its pid file once it has bound its port; a banner seen
		// before that could come from whoever else holds the port.
		if s.ownsPort() && answers(s.Addr) {
			return nil
		}
		if time.Now().After(deadline) {
			err := fmt.Errorf("sshd did not answer on %s within %s: %s", s.Addr, startTimeout, s.lastLog())
			return errors.Join(err, s.halt())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *Server) ownsPort() bool {
	pid, err := os.ReadFile(s.path("sshd.pid"))
	return err == nil && strings.TrimSpace(string(pid)) == strconv.Itoa(s.cmd.Process.Pid)
}

// answers reports whether addr sends an SSH banner.
func answers(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer conn.Close()
	if err := conn.SetReadDeadline(time.Now().Add(time.Second)); err != nil {
		return false
	}
	line, _ := bufio.NewReader(conn).ReadString('\n')
	return strings.HasPrefix(line, "SSH-")
}

// FreePort asks the kernel for a TCP port of host that is free now, for a
// server a test starts there, or an address where nothing listens.
func FreePort(t testing.TB, host string) int {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// lastLog returns the end of sshd's log, which says why it failed.
func (s *Server) lastLog() string {
	data, _ := os.ReadFile(s.path("sshd.log"))
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	return strings.Join(lines[max(0, len(lines)-5):], " | ")
}

func (s *Server) logOutput(t testing.TB) {
	data, err := os.ReadFile(s.path("sshd.log"))
	if err != nil {
		t.Logf("read sshd log: %v", err)
		return
	}
	t.Logf("sshd log (%s):\n%s", s.Addr, data)
}
