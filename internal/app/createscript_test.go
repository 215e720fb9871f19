package app

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/Gleipnir-Technology/nixos-systems/internal/settings/settingstest"
)

// digitalocean/create-droplet.sh must build its doctl command from the same
// settings file as `mage create`, with environment overrides winning.
func TestCreateDropletScriptReadsSettings(t *testing.T) {
	bin := t.TempDir()
	args := filepath.Join(bin, "args")
	fake := "#!/bin/sh\nif [ \"$2\" = ssh-key ]; then echo 11; echo 22; exit 0; fi\nprintf '%s\\n' \"$@\" > " + args + "\n"
	if err := os.WriteFile(filepath.Join(bin, "doctl"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	// The script as committed, beside the settings the tests run with (an
	// operator's own settings.env is theirs to edit).
	script, err := os.ReadFile(filepath.Join("..", "..", "digitalocean", "create-droplet.sh"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(settingstest.File(t))
	if err := os.WriteFile(filepath.Join(dir, "create-droplet.sh"), script, 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(env ...string) []string {
		t.Helper()
		cmd := exec.Command("bash", filepath.Join(dir, "create-droplet.sh"))
		// Only what the test sets: an exported DROPLET_* of the shell running the tests would win over the file.
		cmd.Env = append([]string{"PATH=" + bin + ":" + os.Getenv("PATH")}, env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("create-droplet.sh: %v\n%s", err, out)
		}
		got, err := os.ReadFile(args)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Fields(string(got))
	}
	common := []string{
		"compute", "droplet", "create", "nixos-1",
		"--region", "sfo3", "--size", "s-2vcpu-4gb", "--image", "debian-12-x64",
		"--tag-names", "nixos,nixos-systems", "--wait", "--enable-ipv6",
	}
	want := append(append([]string{}, common...), "--project-id", "ce2159e8-02f5-4169-8943-f34ccf812d23", "--ssh-keys", "48777034")
	if diff := cmp.Diff(want, run("DROPLET_SIZE=s-2vcpu-4gb", "DROPLET_NAME=")); diff != "" {
		t.Errorf("doctl arguments (-want +got):\n%s", diff)
	}

	// Without keys or project in the file, every account key goes in and the default project is used.
	blank := strings.NewReplacer("DROPLET_PROJECT=ce2159e8-02f5-4169-8943-f34ccf812d23", "DROPLET_PROJECT=", "DROPLET_SSH_KEYS=48777034", "DROPLET_SSH_KEYS=").Replace(settingstest.Content)
	file := filepath.Join(t.TempDir(), "settings.env")
	if err := os.WriteFile(file, []byte(blank), 0o644); err != nil {
		t.Fatal(err)
	}
	want = append(append([]string{}, common...), "--ssh-keys", "11,22")
	if diff := cmp.Diff(want, run("DROPLET_SIZE=s-2vcpu-4gb", "SETTINGS_FILE="+file)); diff != "" {
		t.Errorf("doctl arguments without keys (-want +got):\n%s", diff)
	}
}
