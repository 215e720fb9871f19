package app

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
	cmd := exec.Command("bash", filepath.Join("..", "..", "digitalocean", "create-droplet.sh"))
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "DROPLET_SIZE=s-2vcpu-4gb", "DROPLET_NAME=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("create-droplet.sh: %v\n%s", err, out)
	}
	got, err := os.ReadFile(args)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"compute", "droplet", "create", "nixos-1",
		"--region", "sfo3", "--size", "s-2vcpu-4gb", "--image", "debian-12-x64",
		"--tag-names", "nixos,nixos-systems", "--wait", "--enable-ipv6", "--ssh-keys", "11,22",
	}
	if diff := cmp.Diff(want, strings.Fields(string(got))); diff != "" {
		t.Errorf("doctl arguments (-want +got):\n%s", diff)
	}
}
