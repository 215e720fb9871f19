package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// badInput is a mistake a user makes, and what the error must say about it.
type badInput struct {
	name string
	args []string
	// setup prepares the shell (environment, files, an existing droplet) and
	// returns arguments to add; nil = the account's token and the committed
	// settings.
	setup func(t *testing.T, f *fakeDO, sh *shell) []string
	value string // the bad value, which the error must name
	fix   string // what to do instead, which the error must say
	// byMage marks mistakes mage's generated argument parser reports
	// before any target code runs: its one line has no `Error: ` prefix
	// and no advice, which target code cannot change, so only the line
	// and the value are checked.
	byMage bool
}

// TestBadInputChangesNothing runs targets with bad input. Each must exit
// non-zero with one line that names the bad value and the fix, having sent
// DigitalOcean nothing but reads.
func TestBadInputChangesNothing(t *testing.T) {
	notInSFO3 := sizeNotOfferedIn(t, "sfo3")
	unreachable := closedPort(t)
	withKey := func(t *testing.T, f *fakeDO, sh *shell) []string {
		sh.dir = workdir(t, publicKeys(t, 1))
		return nil
	}
	sshd := func(t *testing.T, sh *shell) *sshtest.Server {
		s := sshtest.Start(t)
		sh.set("DROPLET_SSH_PORT", strconv.Itoa(s.Port), "SSH_KNOWN_HOSTS", filepath.Join(t.TempDir(), "known_hosts"))
		return s
	}
	cases := []badInput{
		{name: "unknown size", args: []string{"create", "-size=s-64vcpu-1tb"}, value: "s-64vcpu-1tb", fix: "mage sizes"},
		{name: "size not offered in the region", args: []string{"create", "-size=" + notInSFO3}, value: notInSFO3, fix: "-region"},
		{name: "unknown region", args: []string{"create", "-region=atlantis1"}, value: "atlantis1", fix: "use one of"},
		{name: "sizes of an unknown region", args: []string{"sizes", "-region=atlantis1"}, value: "atlantis1", fix: "use one of"},
		{name: "unknown image", args: []string{"create", "-image=nixos-99-x64"}, value: "nixos-99-x64", fix: "mage images"},
		{name: "invalid droplet name", args: []string{"create", "-name=web_1!"}, value: "web_1!", fix: "-name="},
		{name: "infect: invalid droplet name", args: []string{"infect", "-name=web_1!"}, setup: withKey, value: "web_1!", fix: "-name="},
		{name: "anywhere: neither an address nor a droplet", args: []string{"anywhere", "host=not-an-ip-or-droplet", "-dryrun"},
			value: "not-an-ip-or-droplet", fix: "mage list"},
		{name: "anywhere: flag before the host", args: []string{"anywhere", "-dryrun"}, value: "-dryrun", fix: "put flags after it"},
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
		{name: "infect: no key in authorized_keys", args: []string{"infect"}, value: "digitalocean/authorized_keys", fix: "add"},
		{name: "infect: user data too large", args: []string{"infect"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				// 700 keys of about 100 bytes each outgrow DigitalOcean's 64 KiB.
				sh.dir = workdir(t, publicKeys(t, 700))
				return nil
			}, value: "65536", fix: "shorten digitalocean/authorized_keys"},
		{name: "infect: INFECT_CHANNEL not a channel", args: []string{"infect"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				withKey(t, f, sh)
				sh.set("INFECT_CHANNEL", "unstable")
				return nil
			}, value: "unstable", fix: "nixos-25.11"},
		{name: "uploadImage: file missing", args: []string{"uploadImage"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				return []string{"-file=" + filepath.Join(t.TempDir(), "missing.qcow2.gz")}
			}, value: "missing.qcow2.gz", fix: "mage buildImage"},
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
		{name: "destroy: no such droplet", args: []string{"destroy", "no-such-droplet", "-yes"}, value: "no-such-droplet", fix: "mage list"},
		{name: "destroy: no such droplet ID", args: []string{"destroy", "999999", "-yes"}, value: "999999", fix: "mage list"},
		{name: "destroy: nobody answers the question", args: []string{"destroy", "nixos-1"},
			setup: func(t *testing.T, f *fakeDO, sh *shell) []string {
				mustSucceed(t, sh.run(t, "create"))
				return nil
			}, value: "not destroyed", fix: "-yes"},
		{name: "deleteImage: no such image", args: []string{"deleteImage", "999999", "-yes"}, value: "999999", fix: "mage images"},
		{name: "deleteImage: not an ID", args: []string{"deleteImage", "latest", "-yes"}, value: "latest", fix: "mage images"},
		{name: "create -ipv6=maybe", args: []string{"create", "-ipv6=maybe"}, value: "maybe", byMage: true},
		{name: "create -timeout without a unit", args: []string{"create", "-timeout=10"}, value: "10", byMage: true},
		{name: "destroy without a droplet", args: []string{"destroy"}, value: "expected 1", byMage: true},
	}
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
			if r.code == 0 {
				t.Fatalf("%s exited 0\nstdout:\n%s\nstderr:\n%s", r, r.stdout, r.stderr)
			}
			line := strings.TrimRight(r.stderr, "\n")
			if tc.byMage {
				if strings.Contains(line, "\n") {
					t.Errorf("%s: want one line on stderr, got:\n%s", r, r.stderr)
				}
			} else {
				line = errorLine(t, r)
			}
			if !strings.Contains(line, tc.value) {
				t.Errorf("%s: error %q does not name the bad value %q", r, line, tc.value)
			}
			if !strings.Contains(line, tc.fix) {
				t.Errorf("%s: error %q does not give the fix %q", r, line, tc.fix)
			}
			if changes := f.changesSince(before); len(changes) > 0 {
				t.Errorf("%s sent DigitalOcean %v before refusing", r, changes)
			}
		})
	}
}

// settingsFile points SETTINGS_FILE at a copy of the committed settings with
// line added at the top, where a user's edit goes wrong first.
func settingsFile(t *testing.T, sh *shell, line string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "digitalocean", "settings.env"))
	if err != nil {
		t.Fatal(err)
	}
	sh.set("SETTINGS_FILE", writeFile(t, filepath.Join(t.TempDir(), "settings.env"), line+"\n"+string(data)))
}
