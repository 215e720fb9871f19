package droplets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/digitalocean/godo"
	"golang.org/x/crypto/ssh"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
)

// Login is the keys the operator logs in to droplets with, as
// remote.Config.LoginKeys finds them, and the identities they come from.
type Login struct {
	Keys []ssh.PublicKey
	From []string
}

// AccountKeys are the account keys a droplet made from spec gets: those
// DROPLET_SSH_KEYS names, or every key on the account.
func AccountKeys(ctx context.Context, api API, spec Spec) ([]godo.Key, error) {
	_, keys, err := resolveKeys(ctx, api, spec.SSHKeys)
	return keys, err
}

// CheckLogin refuses plan unless one of the keys of plan.Login is among
// plan.Keys, the account keys DigitalOcean puts into the droplet's
// authorized_keys (and the only ones it lets in): otherwise the droplet
// would be billed while nobody could log in to it. When DROPLET_SSH_KEYS
// chose those keys, it reads the account's others to name any of the
// operator's it leaves out.
func CheckLogin(ctx context.Context, api API, plan Plan) error {
	if len(matching(plan.Login.Keys, plan.Keys)) > 0 {
		return nil
	}
	e := &LoginError{Name: plan.Name, Login: plan.Login, Keys: plan.Keys}
	if len(plan.Spec.SSHKeys) > 0 {
		if all, err := doapi.ListAll(ctx, api.Keys.List); err == nil {
			e.LeftOut = matching(plan.Login.Keys, all)
		}
	}
	return e
}

// WarnLogin is CheckLogin for a droplet that exists: its keys are those
// the account had when it was made, which the API does not show, so a
// mismatch now is worth a warning, not a refusal (the login will tell,
// and after an install the system's own keys count, not the account's).
func WarnLogin(ctx context.Context, api API, plan Plan, log io.Writer) {
	err := CheckLogin(ctx, api, plan)
	var e *LoginError
	if errors.As(err, &e) {
		e.Exists = true
		fmt.Fprintf(log, "warning: %v\n", e)
	}
}

// matching returns the account keys that are one of keys.
func matching(keys []ssh.PublicKey, account []godo.Key) []godo.Key {
	var out []godo.Key
	for _, a := range account {
		for _, k := range keys {
			if sameKey(k, a) {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// sameKey compares an account key's public key with k, or its
// fingerprint, the MD5 of the key as colon-separated hex, when its public
// key does not parse.
func sameKey(k ssh.PublicKey, a godo.Key) bool {
	if pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(a.PublicKey)); err == nil {
		return bytes.Equal(pub.Marshal(), k.Marshal())
	}
	return a.Fingerprint != "" && a.Fingerprint == ssh.FingerprintLegacyMD5(k)
}

// LoginError says that none of the operator's keys is among the account
// keys droplet Name gets.
type LoginError struct {
	Name    string
	Login   Login
	Keys    []godo.Key // the account keys the droplet gets
	LeftOut []godo.Key // the operator's keys the account has, left out by DROPLET_SSH_KEYS
	// Exists says the droplet was made already, with the account keys of
	// its day: the API does not show which.
	Exists bool
}

func (e *LoginError) Error() string {
	var ours []string
	for _, k := range e.Login.Keys {
		ours = append(ours, ssh.FingerprintLegacyMD5(k))
	}
	var theirs []string
	for _, k := range e.Keys {
		theirs = append(theirs, k.Name+" "+k.Fingerprint)
	}
	none := fmt.Sprintf("none of your SSH keys (%s: %s) is", strings.Join(e.Login.From, ", "), few(ours))
	if len(e.Login.Keys) == 0 {
		none = "you have no SSH key to log in with, so none is"
	}
	msg := fmt.Sprintf("%s among the DigitalOcean account keys droplet %s would get (%s), so nobody could log in to it", none, e.Name, few(theirs))
	if e.Exists {
		msg = fmt.Sprintf("%s among the DigitalOcean account keys a droplet gets now (%s); droplet %s exists already, made with the keys of its day, which the API does not show, so only logging in will tell", none, few(theirs), e.Name)
	}
	return msg + "; " + e.fix()
}

// fix says how to give the droplet one of the operator's keys.
func (e *LoginError) fix() string {
	if len(e.LeftOut) > 0 {
		k := e.LeftOut[0]
		return fmt.Sprintf("your key %s (ID %d) is on the account, but DROPLET_SSH_KEYS leaves it out: add %d to DROPLET_SSH_KEYS, or empty it for every account key", k.Name, k.ID, k.ID)
	}
	const other = "or set SSH_IDENTITY to the private key of one of the droplet's"
	for _, id := range e.Login.From {
		if id != remote.AgentIdentity {
			return fmt.Sprintf("add yours to the account (`doctl compute ssh-key import \"$USER@$(hostname)\" --public-key-file %s.pub`), %s", id, other)
		}
	}
	return "add the agent's to the account (`ssh-add -L | head -n 1 > my.pub && doctl compute ssh-key import \"$USER@$(hostname)\" --public-key-file my.pub`), " + other
}

// few lists up to three of items, and how many more there are.
func few(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	if len(items) <= 3 {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:3], ", "), len(items)-3)
}
