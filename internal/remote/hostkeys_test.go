package remote

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

func TestTrustOnFirstUse(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	// Neither the file nor its directory exists yet.
	dir := filepath.Join(t.TempDir(), "ssh")
	file := filepath.Join(dir, "known_hosts")
	var log bytes.Buffer
	cfg := Config{User: s.User, Port: s.Port, IdentityFile: s.ClientKeyFile, KnownHostsFile: file, Log: &log}

	c := mustDial(t, s.Host, cfg)

	want := fmt.Sprintf("trusting new host key for [127.0.0.1]:%d: %s (added to %s)\n", s.Port, s.HostKeyFingerprint, file)
	if diff := cmp.Diff(want, log.String()); diff != "" {
		t.Errorf("notice (-want +got):\n%s", diff)
	}
	if got := c.HostKeyFingerprint(); got != s.HostKeyFingerprint {
		t.Errorf("HostKeyFingerprint() = %s, want %s", got, s.HostKeyFingerprint)
	}
	written := readFile(t, file)
	if diff := cmp.Diff(readFile(t, s.KnownHostsFile(t)), written); diff != "" {
		t.Errorf("known_hosts (-want +got):\n%s", diff)
	}
	for path, want := range map[string]os.FileMode{file: 0o600, dir: 0o700} {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != want {
			t.Errorf("%s mode = %o, want %o", path, got, want)
		}
	}

	log.Reset()
	mustDial(t, s.Host, cfg)
	if log.Len() != 0 {
		t.Errorf("second dial noticed: %q", log.String())
	}
	if got := readFile(t, file); got != written {
		t.Errorf("second dial changed known_hosts to %q", got)
	}
}

func TestPreTrustedHost(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	cfg := trusted(t, s)
	before := readFile(t, cfg.KnownHostsFile)

	c := mustDial(t, s.Host, cfg)

	if got := c.HostKeyFingerprint(); got != s.HostKeyFingerprint {
		t.Errorf("HostKeyFingerprint() = %s, want %s", got, s.HostKeyFingerprint)
	}
	if got := readFile(t, cfg.KnownHostsFile); got != before {
		t.Errorf("known_hosts changed to %q", got)
	}
}

func TestChangedHostKeyIsRefused(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	cfg := trusted(t, s)
	before, oldFingerprint := readFile(t, cfg.KnownHostsFile), s.HostKeyFingerprint
	s.RotateHostKey(t)

	_, err := Dial(context.Background(), s.Host, cfg)

	var changed *HostKeyChangedError
	if !errors.As(err, &changed) {
		t.Fatalf("Dial: %v, want a HostKeyChangedError", err)
	}
	want := &HostKeyChangedError{
		Host:           fmt.Sprintf("[127.0.0.1]:%d", s.Port),
		Want:           oldFingerprint,
		Got:            s.HostKeyFingerprint,
		KnownHostsFile: cfg.KnownHostsFile,
		Line:           1,
	}
	if diff := cmp.Diff(want, changed); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	if got := readFile(t, cfg.KnownHostsFile); got != before {
		t.Errorf("known_hosts changed to %q", got)
	}
}

// A server with several host keys must show the one known_hosts holds, not
// the one x/crypto prefers, or a known host would look changed.
func TestHostKeyAlgorithmFollowsKnownHosts(t *testing.T) {
	t.Parallel()
	ed, ec, rs := ed25519Signer(t), ecdsaSigner(t), rsaSigner(t)
	l := inProcessServer(t, ec, rs, ed)
	addr := l.Addr().String()

	for _, tc := range []struct {
		name  string
		known ssh.Signer // nil: a new host
		want  ssh.Signer
	}{
		{"new host gets ed25519 like OpenSSH", nil, ed},
		{"known ecdsa", ec, ec},
		{"known rsa", rs, rs},
		{"known ed25519", ed, ed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "known_hosts")
			content := ""
			if tc.known != nil {
				content = knownhosts.Line([]string{addr}, tc.known.PublicKey()) + "\n"
			}
			if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg := Config{Port: port(l), IdentityFile: filepath.Join(t.TempDir(), "id"), KnownHostsFile: file, Log: io.Discard}
			sshtest.NewKeyFile(t, cfg.IdentityFile)

			c := mustDial(t, "127.0.0.1", cfg)

			if got, want := c.HostKeyFingerprint(), ssh.FingerprintSHA256(tc.want.PublicKey()); got != want {
				t.Errorf("server showed %s, want %s (%s)", got, want, tc.want.PublicKey().Type())
			}
		})
	}
}

func TestTrustAppendsAfterUnterminatedLine(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	other := knownhosts.Line([]string{"example.org"}, ed25519Signer(t).PublicKey())
	file := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(file, []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := Config{User: s.User, Port: s.Port, IdentityFile: s.ClientKeyFile, KnownHostsFile: file, Log: io.Discard}

	mustDial(t, s.Host, cfg)

	want := other + "\n" + readFile(t, s.KnownHostsFile(t))
	if diff := cmp.Diff(want, readFile(t, file)); diff != "" {
		t.Errorf("known_hosts (-want +got):\n%s", diff)
	}
	cfg.Log = noticeFails{t}
	mustDial(t, s.Host, cfg)
}

func TestConcurrentFirstDialsAddOneLine(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	file := filepath.Join(t.TempDir(), "known_hosts")
	var log bytes.Buffer // written under knownHostsMu only
	cfg := Config{User: s.User, Port: s.Port, IdentityFile: s.ClientKeyFile, KnownHostsFile: file, Log: &log}

	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			c, err := Dial(context.Background(), s.Host, cfg)
			if err != nil {
				t.Error(err)
				return
			}
			c.Close()
		})
	}
	wg.Wait()

	if diff := cmp.Diff(readFile(t, s.KnownHostsFile(t)), readFile(t, file)); diff != "" {
		t.Errorf("known_hosts (-want +got):\n%s", diff)
	}
	if n := strings.Count(log.String(), "trusting"); n != 1 {
		t.Errorf("%d notices, want 1:\n%s", n, log.String())
	}
}

// inProcessServer serves SSH with the given host keys on loopback, accepting
// any client key and refusing every channel: enough for a handshake.
func inProcessServer(t *testing.T, hostKeys ...ssh.Signer) net.Listener {
	t.Helper()
	config := &ssh.ServerConfig{
		PublicKeyCallback: func(ssh.ConnMetadata, ssh.PublicKey) (*ssh.Permissions, error) { return nil, nil },
	}
	for _, k := range hostKeys {
		config.AddHostKey(k)
	}
	return listener(t, func(conn net.Conn) {
		_, chans, reqs, err := ssh.NewServerConn(conn, config)
		if err != nil {
			return
		}
		go ssh.DiscardRequests(reqs)
		for ch := range chans {
			ch.Reject(ssh.Prohibited, "handshake only")
		}
	})
}

func ed25519Signer(t *testing.T) ssh.Signer {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return signer(t, priv)
}

func ecdsaSigner(t *testing.T) ssh.Signer {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return signer(t, priv)
}

func rsaSigner(t *testing.T) ssh.Signer {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return signer(t, priv)
}

func signer(t *testing.T, priv any) ssh.Signer {
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestKnowHostKeyTakesThePlaceOfFirstUse(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	cfg := trusted(t, s)
	cfg.KnownHostsFile = filepath.Join(t.TempDir(), "known_hosts")
	key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(s.HostPublicKey()))
	if err != nil {
		t.Fatal(err)
	}
	added, err := KnowHostKey(cfg, s.Host, key)
	if err != nil || !added {
		t.Fatalf("KnowHostKey on an empty file = %v, %v; want the key added", added, err)
	}
	// No trust-on-first-use notice: trusted fails the test on one.
	c := mustDial(t, s.Host, cfg)
	if other := c.OtherHostKey(key); other != nil {
		t.Errorf("OtherHostKey(the server's key) = %s, want nil", ssh.FingerprintSHA256(other))
	}
	if other := c.OtherHostKey(sshtest.NewPublicKey(t)); other == nil || ssh.FingerprintSHA256(other) != s.HostKeyFingerprint {
		t.Errorf("OtherHostKey(a key nobody holds) = %v, want the server's %s", other, s.HostKeyFingerprint)
	}
	added, err = KnowHostKey(cfg, s.Host, key)
	if err != nil || added {
		t.Errorf("KnowHostKey on a known host = %v, %v; want nothing added", added, err)
	}
	if lines := strings.Count(readFile(t, cfg.KnownHostsFile), "\n"); lines != 1 {
		t.Errorf("known_hosts has %d lines, want 1", lines)
	}
}

func TestKnowHostKeyOfAnotherKeyStopsTheDial(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	cfg := trusted(t, s)
	cfg.KnownHostsFile = filepath.Join(t.TempDir(), "known_hosts")
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := KnowHostKey(cfg, s.Host, other); err != nil {
		t.Fatal(err)
	}
	_, err = Dial(context.Background(), s.Host, cfg)
	var changed *HostKeyChangedError
	if !errors.As(err, &changed) || changed.Want != ssh.FingerprintSHA256(other) {
		t.Errorf("Dial = %v, want a HostKeyChangedError expecting the recorded key", err)
	}
}
