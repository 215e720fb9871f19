package authkeys

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"

	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// keyLine is the authorized_keys line of a new key, with prefix (options)
// before it and comment after it.
func keyLine(t *testing.T, prefix, comment string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "id")
	sshtest.NewKeyFile(t, path)
	return prefix + sshtest.AuthorizedKey(t, path) + comment
}

func TestRead(t *testing.T) {
	keyA := keyLine(t, "", " alice@laptop")
	// keyB has options, and a comment with quotes and a backslash.
	keyB := keyLine(t, `from="10.0.0.0/8",no-agent-forwarding `, ` bob\ "${HOME}"`)
	path := sshtest.TempFile(t, "authorized_keys", "# who may log in as root\n\n"+keyA+"\n  # bob, from the office only\n"+keyB+"\n")
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{keyA, keyB}, got.Lines()); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
}

func TestReadRefuses(t *testing.T) {
	tests := []struct {
		name, content string
		want          []string
	}{
		{"only comments", "# nobody yet\n\n", []string{"has no key", "one a line", "ssh-add -L >>"}},
		{"empty", "", []string{"has no key"}},
		{"not a key", keyLine(t, "", "") + "\nssh-ed25519 not-base64 eve\n", []string{"authorized_keys:2:", "not an OpenSSH public key"}},
		{"private key pasted", "-----BEGIN OPENSSH PRIVATE KEY-----\n", []string{"authorized_keys:1:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(sshtest.TempFile(t, "authorized_keys", tc.content))
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
	_, err := Read(filepath.Join(t.TempDir(), "missing"))
	if err == nil || !strings.Contains(err.Error(), "one a line") {
		t.Errorf("missing file: %v, want advice on what to put there", err)
	}
}

func TestReadNamesBadLine(t *testing.T) {
	bad := sshtest.TempFile(t, "keys", "# keys\n\nssh-ed25519 not-base64 op@laptop\n")
	_, err := Read(bad)
	want := bad + `:3: "ssh-ed25519 not-base64 op@laptop" is not an OpenSSH public key (ssh: no key found; last parsing error for ignored line: illegal base64 data at input byte 2); write one key a line, as in ~/.ssh/id_ed25519.pub`
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant  %s", err, want)
	}
}

func TestContains(t *testing.T) {
	dir := t.TempDir()
	listedFile, otherFile := filepath.Join(dir, "listed"), filepath.Join(dir, "other")
	sshtest.NewKeyFile(t, listedFile)
	sshtest.NewKeyFile(t, otherFile)
	keys, err := Read(sshtest.TempFile(t, "keys", keyLine(t, "", "")+"\n"+`no-pty `+sshtest.AuthorizedKey(t, listedFile)+" op@laptop\n"))
	if err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]bool{listedFile: true, otherFile: false} {
		pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(sshtest.AuthorizedKey(t, file)))
		if err != nil {
			t.Fatal(err)
		}
		if got := keys.Contains(pub); got != want {
			t.Errorf("Contains(key of %s) = %t, want %t", filepath.Base(file), got, want)
		}
	}
}
