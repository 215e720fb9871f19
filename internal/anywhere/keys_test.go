package anywhere

import (
	"crypto/ed25519"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

// template is digitalocean/authorized_keys as committed: comments, no key.
const template = `# SSH public keys allowed to log in as root on every NixOS droplet this
# repository makes, in OpenSSH authorized_keys format: one key per line, e.g.
#   ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... alice@laptop

`

func TestCheckAuthorizedKeysWithIdentityFile(t *testing.T) {
	dir := t.TempDir()
	id, other := filepath.Join(dir, "id_deploy"), filepath.Join(dir, "id_other")
	newKeyFile(t, id, "")
	newKeyFile(t, other, "")
	locked := filepath.Join(dir, "id_locked")
	lockedKey := newKeyFile(t, locked, "secret")
	listed := writeFile(t, "keys", template+keyLine(t, other)+"\n"+keyLine(t, id)+" op@laptop\n")
	lockedListed := writeFile(t, "keys", authorizedLine(t, lockedKey)+"\n")
	unlisted := writeFile(t, "keys", template+keyLine(t, other)+"\n")
	empty := writeFile(t, "keys", template)

	for _, tc := range []struct {
		file, identity string
		want           verify.Check
	}{
		{listed, id, verify.Pass("keys", listed+" holds 2 key(s), including the key of "+id)},
		// An encrypted OpenSSH key still shows its public half.
		{lockedListed, locked, verify.Pass("keys", lockedListed+" holds 1 key(s), including the key of "+locked)},
		{unlisted, id, verify.Fail("keys", errors.New(unlisted+" lacks the key of "+id+", so root would refuse you after the reinstall; add this line to it: "+keyLine(t, id)))},
		{empty, id, verify.Fail("keys", errors.New(empty+" holds no key, so the installed NixOS would accept no login; add your public key to it, e.g. `ssh-add -L >> "+empty+"`"))},
	} {
		got := CheckAuthorizedKeys(tc.file, remote.Config{IdentityFile: tc.identity})
		if got.Status != tc.want.Status || got.Detail != tc.want.Detail {
			t.Errorf("got  %s %s\nwant %s %s", got.Status, got.Detail, tc.want.Status, tc.want.Detail)
		}
	}
}

func TestCheckAuthorizedKeysFileProblems(t *testing.T) {
	dir := t.TempDir()
	id := filepath.Join(dir, "id")
	newKeyFile(t, id, "")
	bad := writeFile(t, "keys", "# keys\n\nssh-ed25519 not-base64 op@laptop\n")
	missing := filepath.Join(dir, "missing")

	for file, want := range map[string]string{
		bad:     bad + ":3 is not a public key (ssh: no key found; last parsing error for ignored line: illegal base64 data at input byte 2); fix or remove that line",
		missing: "read the keys NixOS will install for root: open " + missing + ": no such file or directory",
	} {
		got := CheckAuthorizedKeys(file, remote.Config{IdentityFile: id})
		if got.Status != verify.Failed || got.Detail != want {
			t.Errorf("%s %s\nwant FAILED %s", got.Status, got.Detail, want)
		}
	}
	unreadable := filepath.Join(dir, "none")
	got := CheckAuthorizedKeys(writeFile(t, "keys", keyLine(t, id)), remote.Config{IdentityFile: unreadable})
	if want := "identity file " + unreadable + " is unreadable: no such file or directory"; got.Detail != want {
		t.Errorf("detail %q, want %q", got.Detail, want)
	}
}

// The tests below change HOME and SSH_AUTH_SOCK, so they cannot run in parallel.

func TestCheckAuthorizedKeysWithAgent(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	dir := t.TempDir()
	key := newKeyFile(t, filepath.Join(dir, "agent_key"), "")
	t.Setenv("SSH_AUTH_SOCK", startAgent(t, key))

	listed := writeFile(t, "keys", keyLine(t, filepath.Join(dir, "agent_key"))+"\n")
	if got := CheckAuthorizedKeys(listed, remote.Config{}); got.Status != verify.OK || got.Detail != listed+" holds 1 key(s), including the ssh-agent keys" {
		t.Errorf("%s %s", got.Status, got.Detail)
	}
	newKeyFile(t, filepath.Join(dir, "other"), "")
	unlisted := writeFile(t, "keys", keyLine(t, filepath.Join(dir, "other"))+"\n")
	want := unlisted + " lacks the ssh-agent keys, so root would refuse you after the reinstall; add this line to it: " + authorizedLine(t, key)
	if got := CheckAuthorizedKeys(unlisted, remote.Config{}); got.Status != verify.Failed || got.Detail != want {
		t.Errorf("%s %s\nwant FAILED %s", got.Status, got.Detail, want)
	}
}

func TestCheckAuthorizedKeysWithDefaultKeyFiles(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("SSH_AUTH_SOCK", "")
	ed, rsa := filepath.Join(home, ".ssh", "id_ed25519"), filepath.Join(home, ".ssh", "id_rsa")
	newKeyFile(t, ed, "")
	newKeyFile(t, rsa, "") // an ed25519 key in id_rsa's place is what ssh would offer too

	keys := writeFile(t, "keys", keyLine(t, rsa)+"\n")
	if got := CheckAuthorizedKeys(keys, remote.Config{}); got.Status != verify.OK || got.Detail != keys+" holds 1 key(s), including "+ed+" and "+rsa {
		t.Errorf("%s %s", got.Status, got.Detail)
	}

	t.Setenv("HOME", t.TempDir())
	want := "no ssh key to compare with: load one into ssh-agent (ssh-add) or set SSH_IDENTITY"
	if got := CheckAuthorizedKeys(keys, remote.Config{}); got.Status != verify.Failed || got.Detail != want {
		t.Errorf("%s %s\nwant FAILED %s", got.Status, got.Detail, want)
	}
}

func authorizedLine(t *testing.T, key ed25519.PrivateKey) string {
	t.Helper()
	pub, err := ssh.NewPublicKey(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
}
