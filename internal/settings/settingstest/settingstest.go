// Package settingstest holds the settings file tests run with. Operators are
// told to edit digitalocean/settings.env (their project, keys, region), so
// no test reads it for its values: a test that did would fail on the
// machine of everyone who followed the README.
package settingstest

import (
	"os"
	"path/filepath"
	"testing"
)

// Content is a settings file as the repository first shipped it: the
// simulator knows its project and key (dosim.SeedProjectID, dosim.SeedKeyID).
const Content = `# Settings the tests run with (internal/settings/settingstest).
DROPLET_NAME=nixos-1
DROPLET_REGION=sfo3
DROPLET_SIZE=s-1vcpu-2gb
DROPLET_IMAGE=debian-12-x64
DROPLET_IPV6=true
DROPLET_PROJECT=ce2159e8-02f5-4169-8943-f34ccf812d23
DROPLET_SSH_KEYS=48777034
DROPLET_TAGS=nixos
INFECT_SIZE=s-1vcpu-1gb
INFECT_CHANNEL=nixos-25.11
DROPLET_SSH_USER=root
DROPLET_SSH_PORT=22
SSH_IDENTITY=
SSH_KNOWN_HOSTS=
IMAGE_PUBLISH_DEST=static.gleipnir.technology:/var/www/static/
IMAGE_PUBLIC_URL=https://static.gleipnir.technology/
`

// File writes Content to a settings.env in a new temporary directory and
// returns its path.
func File(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "settings.env")
	if err := os.WriteFile(path, []byte(Content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
