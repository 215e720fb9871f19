package e2e

import (
	"cmp"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
	"github.com/Gleipnir-Technology/nixos-systems/internal/settings/settingstest"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// badInput is a mistake a user makes, and what the error must say about it.
type badInput struct {
	name string
	args []string
	// setup prepares the shell (environment, files, an existing droplet) and
	// returns arguments to add; nil = the account's token and the tests'
	// settings.
	setup func(t *testing.T, f *fakeDO, sh *shell) []string
	value string   // the bad value, which the error must name
	fix   string   // what to do instead, which the error must say
	also  []string // more the error must say
	// code is the exit status: 2 for a command line refused before any
	// target runs (cmdline, through app.CommandLine), which must also have
	// asked DigitalOcean nothing at all; 0 means 1, a target's refusal.
	code int
}

// TestBadInputChangesNothing runs targets with bad input: every class of
// bad value on every flag and positional argument of every target `mage -l`
// lists, as `mage -h` describes them (flagCases), and the mistakes of
// environment, settings and files below. Each must exit non-zero with one
// `Error:` line that names the bad value and the fix, having sent
// DigitalOcean nothing but reads.
func TestBadInputChangesNothing(t *testing.T) {
	notInSFO3 := sizeNotOfferedIn(t, "sfo3")
	unreachable := closedPort(t)
	sshd := func(t *testing.T, sh *shell) *sshtest.Server {
		s := sshtest.Start(t)
		sh.set("DROPLET_SSH_PORT", strconv.Itoa(s.Port), "SSH_KNOWN_HOSTS", filepath.Join(t.TempDir(), "known_hosts"))
		return s
	}
	cases := []badInput{
		{name: "size not offered in the region", args: []string{"create", "-size=" + notInSFO3}, value: notInSFO3, fix: "-region"},
		{name: "anywhere: identity file missing", args: []string{"anywhere", "host=127.0.0.1", "-dryrun"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				withKey(t, f, sh) // so that the identity is all that is wrong
				sshd(t, sh)
				sh.set("SSH_IDENTITY", filepath.Join(t.TempDir(), "missing_ed25519"))
				return nil
			}, value: "missing_ed25519", fix: "SSH_IDENTITY"},
		{name: "anywhere: identity file not a key", args: []string{"anywhere", "host=127.0.0.1", "-dryrun"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				withKey(t, f, sh)
				sshd(t, sh)
				sh.set("SSH_IDENTITY", writeFile(t, filepath.Join(t.TempDir(), "notakey_ed25519.pub"), publicKeys(t, 1)[0]+"\n"))
				return nil
			}, value: "notakey_ed25519.pub", fix: "SSH_IDENTITY"},
		{name: "token missing", args: []string{"sizes"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				sh.unset("DIGITALOCEAN_ACCESS_TOKEN")
				return nil
			}, value: "DIGITALOCEAN_ACCESS_TOKEN", fix: "doctl auth init"},
		{name: "token with a pasted newline", args: []string{"create"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				sh.set("DIGITALOCEAN_ACCESS_TOKEN", token+"\n")
				return nil
			}, value: "DIGITALOCEAN_ACCESS_TOKEN", fix: "paste it again"},
		{name: "token revoked (401)", args: []string{"create"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				sh.set("DIGITALOCEAN_ACCESS_TOKEN", wrongToken)
				return nil
			}, value: "DIGITALOCEAN_ACCESS_TOKEN", fix: "doctl auth init"},
		{name: "doctl context missing", args: []string{"list"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				sh.unset("DIGITALOCEAN_ACCESS_TOKEN")
				sh.set("DIGITALOCEAN_CONTEXT", "staging")
				doctlConfig(t, sh, "access-token: "+token+"\ncontext: default\n")
				return nil
			}, value: "staging", fix: "doctl auth init --context staging"},
		{name: "doctl config not YAML", args: []string{"list"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				sh.unset("DIGITALOCEAN_ACCESS_TOKEN")
				doctlConfig(t, sh, "access-token: ["+token+"\n")
				return nil
			}, value: "config.yaml", fix: "export DIGITALOCEAN_ACCESS_TOKEN"},
		{name: "settings line without =", args: []string{"list"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				settingsFile(t, sh, "DROPLET_SIZE s-1vcpu-2gb")
				return nil
			}, value: "DROPLET_SIZE s-1vcpu-2gb", fix: "KEY=value"},
		{name: "settings value quoted", args: []string{"create"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				settingsFile(t, sh, `DROPLET_NAME="web1"`)
				return nil
			}, value: "DROPLET_NAME", fix: "bare"},
		{name: "DROPLET_IPV6=maybe", args: []string{"create"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				sh.set("DROPLET_IPV6", "maybe")
				return nil
			}, value: "maybe", fix: "true or false"},
		{name: "DROPLET_SSH_PORT out of range", args: []string{"create"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				sh.set("DROPLET_SSH_PORT", "70000")
				return nil
			}, value: "70000", fix: "1-65535"},
		{name: "infect: no key in authorized_keys", args: []string{"infect"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				withKey(t, f, sh) // the login key, then a workdir whose authorized_keys holds none
				sh.dir = workdir(t, nil)
				return nil
			}, value: "digitalocean/authorized_keys", fix: "add"},
		{name: "infect: user data too large", args: []string{"infect"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				// 700 keys of about 100 bytes each outgrow DigitalOcean's 64 KiB.
				sh.dir = workdir(t, append(publicKeys(t, 700), sh.operator(t)))
				return nil
			}, value: "65536", fix: "shorten digitalocean/authorized_keys"},
		{name: "infect: INFECT_CHANNEL not a channel", args: []string{"infect"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				withKey(t, f, sh)
				sh.set("INFECT_CHANNEL", "unstable")
				return nil
			}, value: "unstable", fix: "nixos-25.11"},
		{name: "uploadImage: file not gzip", args: []string{"uploadImage"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				publishLocally(t, sh)
				return []string{"-file=" + writeFile(t, filepath.Join(t.TempDir(), "x.qcow2.gz"), "a text file\n")}
			}, value: "x.qcow2.gz", fix: "gzip"},
		{name: "uploadImage: file of a kind not imported", args: []string{"uploadImage"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				return []string{"-file=" + writeFile(t, filepath.Join(t.TempDir(), "nixos.iso"), "an ISO\n")}
			}, value: "nixos.iso", fix: ".qcow2.gz"},
		{name: "uploadImage: IMAGE_PUBLIC_URL unreachable", args: []string{"uploadImage"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				publishLocally(t, sh)
				sh.set("IMAGE_PUBLIC_URL", "http://"+unreachable+"/")
				return []string{"-file=" + imageFile(t)}
			}, value: unreachable, fix: "IMAGE_PUBLIC_URL"},
		{name: "uploadImage: IMAGE_PUBLISH_DEST not a directory", args: []string{"uploadImage"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				sh.set("IMAGE_PUBLISH_DEST", "static.example.com:/var/www")
				return []string{"-file=" + imageFile(t)}
			}, value: "static.example.com:/var/www", fix: "must end with /"},
		{name: "mage's own -t negative", args: []string{"-t=-5s", "create"}, value: "-t=-5s is negative", fix: "e.g. -t=1h", code: 2},
		{name: "mage's own -t malformed", args: []string{"-t=5", "create"}, value: `invalid value "5" for flag -t`, fix: "e.g. -t=1h", code: 2},
		// Mage would exit the moment -t passed, leaving nixos-anywhere or
		// deploy-rs running and the stop unreported.
		{name: "mage's own -t on up", args: []string{"-t=1h", "up", "web1"}, value: "-t=1h is refused for up", fix: "-timeout=1h", code: 2},
		{name: "mage's own -t on deploy, as go tool mage passes it", args: []string{"deploy"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				sh.set("MAGEFILE_TIMEOUT", "30m0s")
				return nil
			}, value: "-t=30m is refused for deploy", fix: "leave -t out", code: 2},
		{name: "destroy: nobody answers the question", args: []string{"destroy", "nixos-1"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				mustSucceed(t, sh.run(t, "create"))
				return nil
			}, value: "not destroyed", fix: "-yes"},
		// No ssh-agent (SSH_AUTH_SOCK unset) and nothing in ~/.ssh: found
		// after the create, the droplet would be billed for nothing.
		{name: "infect: no ssh key to log in with", args: []string{"infect", "-name=inf1"}, setup: noLoginKey,
			value: "SSH_AUTH_SOCK is not set", fix: "ssh-add", also: []string{"/.ssh/id_ed25519", "SSH_IDENTITY"}},
		{name: "up -route=infect: no ssh key to log in with", args: []string{"up", "inf1", "-route=infect"}, setup: noLoginKey,
			value: "SSH_AUTH_SOCK is not set", fix: "ssh-add", also: []string{"/.ssh/id_ed25519", "SSH_IDENTITY"}},
		{name: "up: no ssh key to log in with", args: []string{"up", "web1"}, setup: noLoginKey,
			value: "SSH_AUTH_SOCK is not set", fix: "ssh-add", also: []string{"/.ssh/id_ed25519", "SSH_IDENTITY"}},
		{name: "create: no ssh key to log in with", args: []string{"create"}, setup: noLoginKey,
			value: "SSH_AUTH_SOCK is not set", fix: "ssh-add", also: []string{"/.ssh/id_ed25519", "SSH_IDENTITY"}},
		// The operator's key is not the account's: the droplet would be
		// billed while nobody could log in to it.
		{name: "create: none of your keys on the droplet", args: []string{"create"}, setup: foreignKey,
			value: "none of your SSH keys", fix: "doctl compute ssh-key import", also: []string{"/.ssh/id_ed25519.pub", "SSH_IDENTITY", "droplet nixos-1 would get"}},
		{name: "infect: none of your keys on the droplet", args: []string{"infect", "-name=inf1"}, setup: foreignKey,
			value: "none of your SSH keys", fix: "doctl compute ssh-key import", also: []string{"/.ssh/id_ed25519.pub", "SSH_IDENTITY", "droplet inf1 would get"}},
		{name: "up: none of your keys on the droplet", args: []string{"up", "web1"}, setup: foreignKey,
			value: "none of your SSH keys", fix: "doctl compute ssh-key import", also: []string{"/.ssh/id_ed25519.pub", "SSH_IDENTITY", "droplet web1 would get"}},
		{name: "up -route=infect: none of your keys on the droplet", args: []string{"up", "inf1", "-route=infect"}, setup: foreignKey,
			value: "none of your SSH keys", fix: "doctl compute ssh-key import", also: []string{"droplet inf1 would get"}},
		{name: "create: DROPLET_SSH_KEYS leaves your key out", args: []string{"create"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				sh.set("DROPLET_SSH_KEYS", "41200002") // the simulator's other key, ci@builder
				return nil
			}, value: "DROPLET_SSH_KEYS leaves it out", fix: "add 48777034 to DROPLET_SSH_KEYS", also: []string{"ci@builder"}},
		{name: "up: size too small for the route", args: []string{"up", "web1", "-route=infect", "-size=s-1vcpu-512mb-10gb"}, setup: withKey,
			value: "s-1vcpu-512mb-10gb", fix: "pick a larger size"},
		// up takes the name first: no -name in its advice.
		{name: "up: a name a droplet this repo did not make has", args: []string{"up", "theirs", "-dryrun"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				handMade(t, f, "theirs")
				return withKey(t, f, sh)
			}, value: "a droplet named theirs", fix: "choose another name (`mage up <name>`)"},
	}
	cases = append(cases, flagCases(t)...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := startSim(t, dosim.Options{})
			sh := f.shell(t)
			args := tc.args
			if tc.setup != nil {
				args = append(append([]string{}, args...), tc.setup(t, f, sh)...)
			}
			before := len(f.Requests())
			r := sh.run(t, args...)
			if changes := f.changesSince(before); len(changes) > 0 {
				t.Errorf("%s sent DigitalOcean %v before refusing", r, changes)
			}
			if n := len(f.Requests()) - before; tc.code == 2 && n > 0 {
				t.Errorf("%s sent DigitalOcean %d requests before refusing its command line", r, n)
			}
			if want := cmp.Or(tc.code, 1); r.code != want {
				t.Fatalf("%s exited %d, want %d\nstdout:\n%s\nstderr:\n%s", r, r.code, want, r.stdout, r.stderr)
			}
			line := errorLine(t, r)
			for _, w := range append([]string{tc.value, tc.fix}, tc.also...) {
				if !strings.Contains(line, w) {
					t.Errorf("%s: error %q does not say %q", r, line, w)
				}
			}
		})
	}
}

// handMade makes a droplet called name as someone else would, without
// this repo's tag.
func handMade(t *testing.T, f *fakeDO, name string) {
	t.Helper()
	body := `{"name":"` + name + `","region":"sfo3","size":"s-1vcpu-1gb","image":"debian-12-x64","ssh_keys":[]}`
	req, err := http.NewRequest(http.MethodPost, f.URL+"/v2/droplets", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("creating droplet %s by hand: %s", name, resp.Status)
	}
}

// withKey gives the shell's user a key to log in with, in
// digitalocean/authorized_keys too, as the routes need before they look at
// anything else.
func withKey(t *testing.T, f *fakeDO, sh *shell) []string {
	sh.operator(t)
	return nil
}

// foreignKey gives the shell's user a key the account does not have, in
// digitalocean/authorized_keys too, so that only DigitalOcean's keys are
// wrong.
func foreignKey(t *testing.T, f *fakeDO, sh *shell) []string {
	if err := os.Remove(sh.loginKey()); err != nil {
		t.Fatal(err)
	}
	sh.operator(t)
	return nil
}

// noLoginKey leaves the shell's user without a key to log in with (no
// ssh-agent, an empty ~/.ssh) while authorized_keys holds one, as on a
// machine where the key lives elsewhere.
func noLoginKey(t *testing.T, f *fakeDO, sh *shell) []string {
	if err := os.Remove(sh.loginKey()); err != nil {
		t.Fatal(err)
	}
	sh.dir = workdir(t, publicKeys(t, 1))
	return nil
}

// settingsFile points SETTINGS_FILE at the settings tests run with, with
// line added at the top, where a user's edit goes wrong first.
func settingsFile(t *testing.T, sh *shell, line string) {
	t.Helper()
	sh.set("SETTINGS_FILE", writeFile(t, filepath.Join(t.TempDir(), "settings.env"), line+"\n"+settingstest.Content))
}
