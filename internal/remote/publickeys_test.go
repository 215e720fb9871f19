package remote

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"

	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// authorizedKeys renders keys as authorized_keys lines, for comparing.
func authorizedKeys(keys []ssh.PublicKey) []string {
	lines := make([]string, len(keys))
	for i, k := range keys {
		lines[i] = string(ssh.MarshalAuthorizedKey(k))
	}
	return lines
}

func TestPublicKeysOfIdentityFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	plain, locked := filepath.Join(dir, "plain"), filepath.Join(dir, "locked")
	sshtest.NewKeyFile(t, plain)
	sshtest.WriteEncryptedKey(t, locked)
	// A key whose file hides its public half is found through its .pub file.
	hidden := filepath.Join(dir, "hidden")
	if err := os.WriteFile(hidden, []byte("not a key in a format this reads\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hidden+".pub", []byte(sshtest.AuthorizedKey(t, plain)+" op@laptop\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	for id, want := range map[string]string{plain: plain, locked: locked, hidden: plain} {
		keys, ids, err := Config{IdentityFile: id}.PublicKeys()
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		if diff := cmp.Diff([]string{sshtest.AuthorizedKey(t, want) + "\n"}, authorizedKeys(keys)); diff != "" {
			t.Errorf("keys of %s (-want +got):\n%s", id, diff)
		}
		if diff := cmp.Diff([]string{id}, ids); diff != "" {
			t.Errorf("identities of %s (-want +got):\n%s", id, diff)
		}
	}

	garbage, missing := filepath.Join(dir, "garbage"), filepath.Join(dir, "missing")
	if err := os.WriteFile(garbage, []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{
		garbage: "identity file " + garbage + ": ssh: no key found, and there is no " + garbage + ".pub",
		missing: "identity file " + missing + " is unreadable: no such file or directory",
	} {
		if _, _, err := (Config{IdentityFile: id}).PublicKeys(); err == nil || err.Error() != want {
			t.Errorf("PublicKeys with %s: %v\nwant %s", id, err, want)
		}
	}
}

// The tests below change HOME and SSH_AUTH_SOCK, so they cannot run in parallel.

// agentAndKeyFiles gives the test a new home, holding a plain
// ~/.ssh/id_ed25519 and a passphrase-protected ~/.ssh/id_ecdsa, and an
// agent holding a third key, in agentKey.
func agentAndKeyFiles(t *testing.T) (home, agentKey, ed, ecdsa string) {
	t.Helper()
	home = t.TempDir()
	t.Setenv("HOME", home)
	agentKey = filepath.Join(t.TempDir(), "agent_key")
	sshtest.NewKeyFile(t, agentKey)
	t.Setenv("SSH_AUTH_SOCK", sshtest.StartAgent(t, agentKey))
	ed, ecdsa = filepath.Join(home, ".ssh", "id_ed25519"), filepath.Join(home, ".ssh", "id_ecdsa")
	sshtest.NewKeyFile(t, ed)
	sshtest.WriteEncryptedKey(t, ecdsa)
	return home, agentKey, ed, ecdsa
}

// Without an identity file the agent's keys count, and every default key
// file with a public half, passphrase-protected or not.
func TestPublicKeysOfAgentAndDefaultFiles(t *testing.T) {
	_, agentKey, ed, ecdsa := agentAndKeyFiles(t)

	keys, ids, err := Config{}.PublicKeys()

	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range []string{agentKey, ed, ecdsa} {
		want = append(want, sshtest.AuthorizedKey(t, f)+"\n")
	}
	if diff := cmp.Diff(want, authorizedKeys(keys)); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{AgentIdentity, ed, ecdsa}, ids); diff != "" {
		t.Errorf("identities (-want +got):\n%s", diff)
	}
}

func TestPublicKeysNone(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("SSH_AUTH_SOCK", "")

	keys, ids, err := Config{}.PublicKeys()

	if len(keys) != 0 || len(ids) != 0 || err != nil {
		t.Errorf("PublicKeys() = %v, %v, %v; want nothing and no error", keys, ids, err)
	}
}

// LoginKeys are the keys Dial offers: the agent's and the usable default
// key files, once each, without a passphrase-protected file.
func TestLoginKeys(t *testing.T) {
	home, agentKey, ed, _ := agentAndKeyFiles(t)
	rsa := filepath.Join(home, ".ssh", "id_rsa") // the agent's key again
	if err := os.Link(agentKey, rsa); err != nil {
		t.Fatal(err)
	}

	keys, ids, err := Config{}.LoginKeys()

	if err != nil {
		t.Fatal(err)
	}
	want := []string{sshtest.AuthorizedKey(t, agentKey) + "\n", sshtest.AuthorizedKey(t, ed) + "\n"}
	if diff := cmp.Diff(want, authorizedKeys(keys)); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{AgentIdentity, ed, rsa}, ids); diff != "" {
		t.Errorf("identities (-want +got):\n%s", diff)
	}

	id := filepath.Join(t.TempDir(), "id")
	sshtest.NewKeyFile(t, id)
	keys, ids, err = Config{IdentityFile: id}.LoginKeys()
	if err != nil || len(keys) != 1 || string(ssh.MarshalAuthorizedKey(keys[0])) != sshtest.AuthorizedKey(t, id)+"\n" || len(ids) != 1 || ids[0] != id {
		t.Errorf("LoginKeys with SSH_IDENTITY %s = %v, %v, %v; want its key alone", id, keys, ids, err)
	}

	t.Setenv("SSH_AUTH_SOCK", "")
	for _, f := range []string{ed, rsa} {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	var none *NoKeyError
	if _, _, err := (Config{}).LoginKeys(); !errors.As(err, &none) {
		t.Errorf("LoginKeys with only a passphrase-protected key file = %v, want a NoKeyError", err)
	}
}
