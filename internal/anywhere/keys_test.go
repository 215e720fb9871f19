package anywhere

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
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
	sshtest.NewKeyFile(t, id)
	sshtest.NewKeyFile(t, other)
	locked := filepath.Join(dir, "id_locked")
	sshtest.WriteEncryptedKey(t, locked)
	listed := sshtest.TempFile(t, "keys", template+sshtest.AuthorizedKey(t, other)+"\n"+sshtest.AuthorizedKey(t, id)+" op@laptop\n")
	lockedListed := sshtest.TempFile(t, "keys", sshtest.AuthorizedKey(t, locked)+"\n")
	unlisted := sshtest.TempFile(t, "keys", template+sshtest.AuthorizedKey(t, other)+"\n")
	empty := sshtest.TempFile(t, "keys", template)

	for _, tc := range []struct {
		file, identity string
		want           verify.Check
	}{
		{listed, id, verify.Pass("keys", listed+" holds 2 key(s), including the key of "+id)},
		// An encrypted OpenSSH key still shows its public half.
		{lockedListed, locked, verify.Pass("keys", lockedListed+" holds 1 key(s), including the key of "+locked)},
		{unlisted, id, verify.Fail("keys", errors.New(unlisted+" lacks the key of "+id+", so root would refuse you once the machine runs this repository's configuration; add this line to it: "+sshtest.AuthorizedKey(t, id)))},
		{empty, id, verify.Fail("keys", errors.New(empty+" has no key, so the installed NixOS would accept no login: add the OpenSSH public keys that may log in as root, one a line, e.g. `ssh-add -L >> "+empty+"`"))},
	} {
		got := CheckAuthorizedKeys(tc.file, remote.Config{IdentityFile: tc.identity})
		if got.Status != tc.want.Status || got.Detail != tc.want.Detail {
			t.Errorf("got  %s %s\nwant %s %s", got.Status, got.Detail, tc.want.Status, tc.want.Detail)
		}
	}
}

// What authkeys.Read refuses fails the check; internal/authkeys tests each
// refusal.
func TestCheckAuthorizedKeysFileProblems(t *testing.T) {
	dir := t.TempDir()
	id := filepath.Join(dir, "id")
	sshtest.NewKeyFile(t, id)
	missing := filepath.Join(dir, "missing")

	got := CheckAuthorizedKeys(missing, remote.Config{IdentityFile: id})
	want := "read authorized keys: open " + missing + ": no such file or directory; put the OpenSSH public keys that may log in as root in " + missing + ", one a line"
	if got.Status != verify.Failed || got.Detail != want {
		t.Errorf("%s %s\nwant FAILED %s", got.Status, got.Detail, want)
	}
	unreadable := filepath.Join(dir, "none")
	got = CheckAuthorizedKeys(sshtest.TempFile(t, "keys", sshtest.AuthorizedKey(t, id)), remote.Config{IdentityFile: unreadable})
	if want := "identity file " + unreadable + " is unreadable: no such file or directory"; got.Detail != want {
		t.Errorf("detail %q, want %q", got.Detail, want)
	}
}

// The tests below change HOME and SSH_AUTH_SOCK, so they cannot run in parallel.

func TestCheckAuthorizedKeysWithAgent(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	dir := t.TempDir()
	key := filepath.Join(dir, "agent_key")
	sshtest.NewKeyFile(t, key)
	t.Setenv("SSH_AUTH_SOCK", sshtest.StartAgent(t, key))

	listed := sshtest.TempFile(t, "keys", sshtest.AuthorizedKey(t, key)+"\n")
	if got := CheckAuthorizedKeys(listed, remote.Config{}); got.Status != verify.OK || got.Detail != listed+" holds 1 key(s), including the ssh-agent keys" {
		t.Errorf("%s %s", got.Status, got.Detail)
	}
	sshtest.NewKeyFile(t, filepath.Join(dir, "other"))
	unlisted := sshtest.TempFile(t, "keys", sshtest.AuthorizedKey(t, filepath.Join(dir, "other"))+"\n")
	want := unlisted + " lacks the ssh-agent keys, so root would refuse you once the machine runs this repository's configuration; add this line to it: " + sshtest.AuthorizedKey(t, key)
	if got := CheckAuthorizedKeys(unlisted, remote.Config{}); got.Status != verify.Failed || got.Detail != want {
		t.Errorf("%s %s\nwant FAILED %s", got.Status, got.Detail, want)
	}
}

func TestCheckAuthorizedKeysWithDefaultKeyFiles(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("SSH_AUTH_SOCK", "")
	ed, rsa := filepath.Join(home, ".ssh", "id_ed25519"), filepath.Join(home, ".ssh", "id_rsa")
	sshtest.NewKeyFile(t, ed)
	sshtest.NewKeyFile(t, rsa) // an ed25519 key in id_rsa's place is what ssh would offer too

	keys := sshtest.TempFile(t, "keys", sshtest.AuthorizedKey(t, rsa)+"\n")
	if got := CheckAuthorizedKeys(keys, remote.Config{}); got.Status != verify.OK || got.Detail != keys+" holds 1 key(s), including "+ed+" and "+rsa {
		t.Errorf("%s %s", got.Status, got.Detail)
	}

	t.Setenv("HOME", t.TempDir())
	want := "no ssh key to compare with: load one into ssh-agent (ssh-add) or set SSH_IDENTITY"
	if got := CheckAuthorizedKeys(keys, remote.Config{}); got.Status != verify.Failed || got.Detail != want {
		t.Errorf("%s %s\nwant FAILED %s", got.Status, got.Detail, want)
	}
}
