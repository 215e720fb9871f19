package remote

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

func TestWrongIdentityIsRefused(t *testing.T) {
	t.Parallel()
	s := sshtest.Start(t)
	cfg := trusted(t, s)
	cfg.IdentityFile = filepath.Join(t.TempDir(), "id_ed25519")
	sshtest.NewKeyFile(t, cfg.IdentityFile)

	_, err := Dial(context.Background(), s.Host, cfg)

	var authErr *AuthError
	if !errors.As(err, &authErr) {
		t.Fatalf("Dial: %v, want an AuthError", err)
	}
	want := fmt.Sprintf("%s@127.0.0.1:%d refused key %s: add its public key to the droplet",
		s.User, s.Port, cfg.IdentityFile)
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
}

func TestIdentityFileProblems(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	encrypted := filepath.Join(dir, "encrypted")
	sshtest.WriteEncryptedKey(t, encrypted)
	garbage := filepath.Join(dir, "garbage")
	if err := os.WriteFile(garbage, []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")

	for _, tc := range []struct {
		file, want string
	}{
		{encrypted, fmt.Sprintf("identity file %s is passphrase-protected; load it into ssh-agent (ssh-add %[1]s) and leave the identity unset", encrypted)},
		{garbage, fmt.Sprintf("identity file %s is not a usable ssh private key: ssh: no key found", garbage)},
		{missing, fmt.Sprintf("identity file %s is unreadable: no such file or directory", missing)},
	} {
		// No server is needed: the key is read before any connection.
		_, err := Dial(context.Background(), "127.0.0.1", Config{Port: 1, IdentityFile: tc.file, KnownHostsFile: filepath.Join(dir, "known_hosts")})
		if err == nil {
			t.Fatalf("Dial with %s succeeded", tc.file)
		}
		if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
			t.Errorf("message (-want +got):\n%s", diff)
		}
	}
	_, err := Dial(context.Background(), "127.0.0.1", Config{Port: 1, IdentityFile: missing})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing identity: %v, want it to wrap fs.ErrNotExist", err)
	}
}

// The tests below change HOME and SSH_AUTH_SOCK, so they cannot run in parallel.

func TestAgentKeys(t *testing.T) {
	s := sshtest.Start(t)
	t.Setenv("HOME", t.TempDir()) // no default key files
	t.Setenv("SSH_AUTH_SOCK", sshtest.StartAgent(t, s.ClientKeyFile))
	cfg := trusted(t, s)
	cfg.IdentityFile = ""

	c := mustDial(t, s.Host, cfg)

	if _, err := c.Output(context.Background(), "true"); err != nil {
		t.Fatal(err)
	}
	if got := cfg.Identity(); got != "" {
		t.Errorf("Identity() = %q, want \"\" for the agent", got)
	}
}

func TestAgentKeyFileOfferedOnce(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	keyFile := filepath.Join(home, ".ssh", "id_ed25519")
	sshtest.NewKeyFile(t, keyFile)
	t.Setenv("SSH_AUTH_SOCK", sshtest.StartAgent(t, keyFile))

	creds, err := loadCredentials(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer creds.close()

	if len(creds.signers) != 1 {
		t.Errorf("%d keys offered, want the agent's copy of %s only", len(creds.signers), keyFile)
	}
	if diff := cmp.Diff([]string{AgentIdentity, keyFile}, creds.identities); diff != "" {
		t.Errorf("identities (-want +got):\n%s", diff)
	}
}

func TestDefaultKeyFiles(t *testing.T) {
	s := sshtest.Start(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("SSH_AUTH_SOCK", "")
	// id_ed25519 is refused, so only id_rsa's slot, holding the client key, gets us in.
	sshtest.NewKeyFile(t, filepath.Join(home, ".ssh", "id_ed25519"))
	copyFile(t, s.ClientKeyFile, filepath.Join(home, ".ssh", "id_rsa"))
	cfg := trusted(t, s)
	cfg.IdentityFile = ""

	c := mustDial(t, s.Host, cfg)

	if _, err := c.Output(context.Background(), "true"); err != nil {
		t.Fatal(err)
	}
}

func TestRefusedAgentAndDefaultKeys(t *testing.T) {
	s := sshtest.Start(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	agentKey := filepath.Join(t.TempDir(), "agent_key")
	sshtest.NewKeyFile(t, agentKey)
	t.Setenv("SSH_AUTH_SOCK", sshtest.StartAgent(t, agentKey))
	keyFile := filepath.Join(home, ".ssh", "id_ecdsa")
	sshtest.NewKeyFile(t, keyFile)
	cfg := trusted(t, s)
	cfg.IdentityFile = ""

	_, err := Dial(context.Background(), s.Host, cfg)

	want := fmt.Sprintf("%s@127.0.0.1:%d refused the ssh-agent keys and key %s: add its public key to the droplet",
		s.User, s.Port, keyFile)
	if err == nil || err.Error() != want {
		t.Errorf("Dial: %v\nwant: %s", err, want)
	}
}

func TestNoKeyToOffer(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("SSH_AUTH_SOCK", "")
	sshtest.WriteEncryptedKey(t, filepath.Join(home, ".ssh", "id_ecdsa"))

	_, err := Dial(context.Background(), "127.0.0.1", Config{Port: 1})

	key := func(name string) string { return filepath.Join(home, ".ssh", name) }
	want := "no ssh key to offer: SSH_AUTH_SOCK is not set; " +
		key("id_ecdsa") + " is passphrase-protected (load it with ssh-add); " +
		"no key file at " + key("id_ed25519") + ", " + key("id_rsa") + "; " +
		"set an identity file, or load a key into ssh-agent with ssh-add"
	if err == nil || err.Error() != want {
		t.Errorf("Dial: %v\nwant: %s", err, want)
	}
	if _, err := os.Stat(key("known_hosts")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("known_hosts was created although Dial could not try: %v", err)
	}
}

func TestIdentity(t *testing.T) {
	t.Setenv("HOME", "/home/operator")
	for _, tc := range []struct{ file, want string }{
		{"", ""},
		{"/keys/deploy", "/keys/deploy"},
		{"~/.ssh/deploy", "/home/operator/.ssh/deploy"},
		{"relative/key", "relative/key"},
	} {
		if got := (Config{IdentityFile: tc.file}).Identity(); got != tc.want {
			t.Errorf("Identity() with %q = %q, want %q", tc.file, got, tc.want)
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, []byte(readFile(t, from)), 0o600); err != nil {
		t.Fatal(err)
	}
}

// CheckKeys must say before anything is created what Dial would find: a key
// of the agent or of ~/.ssh, or none.
func TestCheckKeys(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, home string)
		none  bool // a *NoKeyError
	}{
		{"agent", func(t *testing.T, home string) {
			key := filepath.Join(t.TempDir(), "agent_key")
			sshtest.NewKeyFile(t, key)
			t.Setenv("SSH_AUTH_SOCK", sshtest.StartAgent(t, key))
		}, false},
		{"default key file", func(t *testing.T, home string) {
			sshtest.NewKeyFile(t, filepath.Join(home, ".ssh", "id_rsa"))
		}, false},
		{"nothing", func(t *testing.T, home string) {}, true},
		{"only a passphrase-protected key file", func(t *testing.T, home string) {
			sshtest.WriteEncryptedKey(t, filepath.Join(home, ".ssh", "id_ed25519"))
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			t.Setenv("HOME", home)
			t.Setenv("SSH_AUTH_SOCK", "")
			tc.setup(t, home)
			err := Config{}.CheckKeys()
			var none *NoKeyError
			if got := errors.As(err, &none); got != tc.none {
				t.Fatalf("CheckKeys() = %v, want a NoKeyError: %t", err, tc.none)
			}
			if !tc.none && err != nil {
				t.Fatalf("CheckKeys() = %v", err)
			}
		})
	}
	// An identity file is checked alone.
	t.Setenv("HOME", t.TempDir())
	if err := (Config{IdentityFile: filepath.Join(t.TempDir(), "missing")}).CheckKeys(); err == nil || !strings.Contains(err.Error(), "missing is unreadable") {
		t.Errorf("CheckKeys() of a missing identity = %v", err)
	}
}
