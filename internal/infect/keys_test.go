package infect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	keyA = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPf854pn1A6qWAr4nvVqn8FbFNCz1f4SK9QLFgv3GGAz alice@laptop"
	// keyB has options and a comment with what Nix strings must escape.
	keyB = `from="10.0.0.0/8",no-agent-forwarding ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHjr189OQmGMc4dg0EkuvYoG8kg7C0NEcxvYigRAW5sL0fGjGSzcwvb/hSTIZQXkTE0y8JBdTVn8iUoQnlIQ76A= bob\ "${HOME}"`
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadAuthorizedKeys(t *testing.T) {
	path := writeFile(t, "authorized_keys", "# who may log in as root\n\n"+keyA+"\n  # bob, from the office only\n"+keyB+"\n")
	got, err := ReadAuthorizedKeys(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{keyA, keyB}, got); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
}

func TestReadAuthorizedKeysRefuses(t *testing.T) {
	tests := []struct {
		name, content string
		want          []string
	}{
		{"only comments", "# nobody yet\n\n", []string{"has no key", "one a line"}},
		{"empty", "", []string{"has no key"}},
		{"not a key", keyA + "\nssh-ed25519 not-base64 eve\n", []string{"authorized_keys:2:", "not an OpenSSH public key"}},
		{"private key pasted", "-----BEGIN OPENSSH PRIVATE KEY-----\n", []string{"authorized_keys:1:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadAuthorizedKeys(writeFile(t, "authorized_keys", tc.content))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("not one line: %q", err)
			}
		})
	}
	_, err := ReadAuthorizedKeys(filepath.Join(t.TempDir(), "missing"))
	if err == nil || !strings.Contains(err.Error(), "one a line") {
		t.Errorf("missing file: %v, want advice on what to put there", err)
	}
}
