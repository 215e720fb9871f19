package droplets

import (
	"context"
	"strings"
	"testing"

	"github.com/digitalocean/godo"
	"golang.org/x/crypto/ssh"

	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// An account key is the operator's when its public key is; when its
// public key does not parse, when its fingerprint (DigitalOcean's MD5
// form, colon-separated hex) is.
func TestSameKey(t *testing.T) {
	mine, other := sshtest.NewPublicKey(t), sshtest.NewPublicKey(t)
	line := string(ssh.MarshalAuthorizedKey(mine))
	for _, tc := range []struct {
		name string
		key  godo.Key
		want bool
	}{
		{"its public key", godo.Key{PublicKey: strings.TrimSpace(line) + " me@laptop"}, true},
		{"another public key, my fingerprint", godo.Key{PublicKey: string(ssh.MarshalAuthorizedKey(other)), Fingerprint: ssh.FingerprintLegacyMD5(mine)}, false},
		{"no public key, my fingerprint", godo.Key{Fingerprint: ssh.FingerprintLegacyMD5(mine)}, true},
		{"no public key, another fingerprint", godo.Key{Fingerprint: ssh.FingerprintLegacyMD5(other)}, false},
		{"nothing", godo.Key{}, false},
	} {
		if got := sameKey(mine, tc.key); got != tc.want {
			t.Errorf("%s: %t, want %t", tc.name, got, tc.want)
		}
	}
}

// CheckLogin lets a plan through when one of the operator's keys is among
// the droplet's; otherwise it names at most three keys of each side, and,
// when DROPLET_SSH_KEYS left the operator's account key out, that one.
func TestCheckLogin(t *testing.T) {
	mine := sshtest.NewPublicKey(t)
	accountKey := func(id int, name string, k ssh.PublicKey) godo.Key {
		return godo.Key{ID: id, Name: name, PublicKey: string(ssh.MarshalAuthorizedKey(k)), Fingerprint: ssh.FingerprintLegacyMD5(k)}
	}
	var others []godo.Key
	for i := range 5 {
		others = append(others, accountKey(100+i, "other"+string(rune('a'+i)), sshtest.NewPublicKey(t)))
	}
	mineOnAccount := accountKey(7, "me@laptop", mine)
	api := fakeAPI(&fakeDroplets{})
	api.Keys = fakeKeys{keys: append([]godo.Key{mineOnAccount}, others...)}
	agent := Login{Keys: []ssh.PublicKey{mine}, From: []string{remote.AgentIdentity}}

	ok := Plan{Spec: Spec{Name: "web1"}, Keys: append(append([]godo.Key{}, others...), mineOnAccount), Login: agent}
	if err := CheckLogin(context.Background(), api, ok); err != nil {
		t.Errorf("my key among the droplet's: %v", err)
	}

	err := CheckLogin(context.Background(), api, Plan{Spec: Spec{Name: "web1"}, Keys: others, Login: agent})
	msg := err.Error()
	for _, want := range []string{"your SSH keys (ssh-agent: " + ssh.FingerprintLegacyMD5(mine) + ")", "droplet web1 would get", "othera " + others[0].Fingerprint, "and 2 more", "ssh-add -L", "SSH_IDENTITY"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not say %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "DROPLET_SSH_KEYS") {
		t.Errorf("every account key was the droplet's, yet the error blames DROPLET_SSH_KEYS:\n%s", msg)
	}

	chosen := Plan{Spec: Spec{Name: "web1", SSHKeys: []string{"100"}}, Keys: others[:1], Login: agent}
	err = CheckLogin(context.Background(), api, chosen)
	if want := "your key me@laptop (ID 7) is on the account, but DROPLET_SSH_KEYS leaves it out: add 7 to DROPLET_SSH_KEYS"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v\nwant it to say %q", err, want)
	}

	err = CheckLogin(context.Background(), api, Plan{Spec: Spec{Name: "web1"}, Keys: others})
	if err == nil || !strings.Contains(err.Error(), "you have no SSH key to log in with") {
		t.Errorf("no login keys: %v", err)
	}
}
