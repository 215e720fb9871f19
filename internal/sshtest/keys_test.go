package sshtest_test

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

func TestKeyFiles(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), ".ssh")
	plain, locked := filepath.Join(dir, "id_ed25519"), filepath.Join(dir, "id_locked")
	priv := sshtest.NewKeyFile(t, plain)
	sshtest.WriteEncryptedKey(t, locked)

	for path, mode := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, plain: 0o600, locked: 0o600} {
		if info, err := os.Stat(path); err != nil || info.Mode() != mode {
			t.Errorf("%s: %v, %v; want mode %v", path, info.Mode(), err, mode)
		}
	}
	pub, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sshtest.AuthorizedKey(t, plain)+"\n", string(ssh.MarshalAuthorizedKey(pub)); got != want {
		t.Errorf("AuthorizedKey = %q, want %q", got, want)
	}
	// The passphrase-protected key's line comes without the passphrase.
	if _, _, _, _, err := ssh.ParseAuthorizedKey([]byte(sshtest.AuthorizedKey(t, locked))); err != nil {
		t.Errorf("line of the encrypted key: %v", err)
	}
	data, _ := os.ReadFile(locked)
	if _, err := ssh.ParsePrivateKeyWithPassphrase(data, []byte("secret")); err != nil {
		t.Errorf("encrypted key does not open with its passphrase: %v", err)
	}
}
