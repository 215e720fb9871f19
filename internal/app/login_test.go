package app

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// otherKey makes the operator's login key one the simulated account does
// not have, as for an operator whose key is not among DigitalOcean's. It
// returns the key file.
func otherKey(t *testing.T, te *testEnv) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "id_other")
	sshtest.NewKeyFile(t, path)
	te.Settings.SSHIdentity = path
	return path
}

// md5Of is the fingerprint DigitalOcean shows for the key of an
// authorized_keys line.
func md5Of(t *testing.T, line string) string {
	t.Helper()
	k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	return ssh.FingerprintLegacyMD5(k)
}

// wantLoginRefused checks that err is the refusal of a droplet nobody could
// log in to, made before anything changed, naming the operator's key file,
// both sides' fingerprints and the fix.
func wantLoginRefused(t *testing.T, te *testEnv, err error, key string, want ...string) {
	t.Helper()
	var le *droplets.LoginError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v, want a LoginError", err)
	}
	if n := te.mutations(); n != 0 || len(te.Sim.Droplets()) != 0 {
		t.Errorf("%d changing requests, %d droplets before the refusal", n, len(te.Sim.Droplets()))
	}
	seed, _, err2 := te.Client.Keys.GetByID(context.Background(), dosim.SeedKeyID)
	if err2 != nil {
		t.Fatal(err2)
	}
	msg := err.Error()
	want = append(want, key, md5Of(t, sshtest.AuthorizedKey(t, key)), seed.Fingerprint)
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error does not say %q:\n%s", w, msg)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("error is not one line:\n%s", msg)
	}
}

func TestCreateRefusesDropletNobodyCanLogInTo(t *testing.T) {
	te := newTestEnv(t, fastSim)
	key := otherKey(t, te)
	err := Create(context.Background(), te.Env, Overrides{}, false)
	wantLoginRefused(t, te, err, key, "droplet nixos-1 would get", "doctl compute ssh-key import", "--public-key-file "+key+".pub", "SSH_IDENTITY")
}

// DROPLET_SSH_KEYS naming another account key than the operator's: the fix
// is to name theirs too.
func TestCreateRefusesKeysThatLeaveTheOperatorsOut(t *testing.T) {
	te := newTestEnv(t, fastSim)
	te.Settings.SSHKeys = []string{"41200002"} // ci@builder, the simulator's other key
	err := Create(context.Background(), te.Env, Overrides{}, false)
	var le *droplets.LoginError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v, want a LoginError", err)
	}
	for _, w := range []string{"ci@builder", "(ID 48777034) is on the account, but DROPLET_SSH_KEYS leaves it out: add 48777034 to DROPLET_SSH_KEYS"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not say %q:\n%s", w, err)
		}
	}
	if n := te.mutations(); n != 0 {
		t.Errorf("%d changing requests", n)
	}
}

// A droplet that exists was made with the keys of its day, which the API
// does not show: running create again with other keys warns, and goes on.
func TestCreateAgainWithOtherKeysWarns(t *testing.T) {
	te := newTestEnv(t, fastSim)
	if err := Create(context.Background(), te.Env, Overrides{}, false); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(te.Stderr.String(), "warning: none of your SSH keys") {
		t.Errorf("a warning with the right key:\n%s", te.Stderr)
	}
	otherKey(t, te)
	if err := Create(context.Background(), te.Env, Overrides{}, false); err != nil {
		t.Fatalf("create again: %v", err)
	}
	if !strings.Contains(te.Stderr.String(), "warning: none of your SSH keys") || !strings.Contains(te.Stderr.String(), "droplet nixos-1 exists already") {
		t.Errorf("no warning:\n%s", te.Stderr)
	}
}

func TestInfectRefusesDropletNobodyCanLogInTo(t *testing.T) {
	it := newInfectTest(t)
	key := otherKey(t, it.testEnv)
	err := Infect(context.Background(), it.Env, it.opts)
	wantLoginRefused(t, it.testEnv, err, key, "would get")

	it.opts.DryRun = true
	err = Infect(context.Background(), it.Env, it.opts)
	wantLoginRefused(t, it.testEnv, err, key, "would get")
}

// up refuses before its plan runs, and a dry run shows the plan, then what
// stands in the way.
func TestUpRefusesDropletNobodyCanLogInTo(t *testing.T) {
	u := newUpSetup(t, fastSim)
	key := otherKey(t, u.testEnv)
	// NixOS would let the key in: only DigitalOcean's keys are wrong.
	sshtest.AppendFile(t, u.files.AuthorizedKeys, sshtest.AuthorizedKey(t, key)+"\n")
	err := Up(context.Background(), u.Env, "web1", u.options())
	wantLoginRefused(t, u.testEnv, err, key, "droplet web1 would get")
	if strings.Contains(u.stderr.String(), "==> 1/") {
		t.Errorf("a step ran:\n%s", u.stderr)
	}

	o := u.options()
	o.DryRun = true
	err = Up(context.Background(), u.Env, "web1", o)
	wantLoginRefused(t, u.testEnv, err, key, "droplet web1 would get")
	if !strings.Contains(u.Stdout.String(), "up web1: route anywhere") {
		t.Errorf("the dry run showed no plan:\n%s", u.Stdout)
	}
}

// up on a droplet that exists warns of keys the account does not have for
// the operator now, and goes on: the login tells whether the droplet lets
// them in (here it does not, and says so).
func TestUpOnExistingDropletWarnsOfKeys(t *testing.T) {
	u := newUpSetup(t, fastSim)
	if err := Create(context.Background(), u.Env, Overrides{Name: ptr("web1"), Size: ptr("s-1vcpu-2gb"), IPv6: ptr(false)}, false); err != nil {
		t.Fatal(err)
	}
	key := otherKey(t, u.testEnv)
	sshtest.AppendFile(t, u.files.AuthorizedKeys, sshtest.AuthorizedKey(t, key)+"\n")
	err := Up(context.Background(), u.Env, "web1", u.options())
	var le *droplets.LoginError
	var auth *remote.AuthError
	if !errors.As(err, &auth) || errors.As(err, &le) {
		t.Fatalf("err = %v, want the login's refusal", err)
	}
	out := u.stderr.String()
	if !strings.Contains(out, "warning: none of your SSH keys") || !strings.Contains(out, "droplet web1 exists already") {
		t.Errorf("no warning before the login:\n%s", out)
	}
	if !strings.Contains(out, "==> ") {
		t.Errorf("the run did not go on to its steps:\n%s", out)
	}
}
