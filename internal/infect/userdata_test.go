package infect

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// committedTemplate is the template as committed, seen from this package's directory.
var committedTemplate = filepath.Join("..", "..", TemplateFile)

// keyA and keyB are authorized_keys lines as operators write them.
const (
	keyA = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPf854pn1A6qWAr4nvVqn8FbFNCz1f4SK9QLFgv3GGAz alice@laptop"
	// keyB has options and a comment with what Nix strings must escape.
	keyB = `from="10.0.0.0/8",no-agent-forwarding ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHjr189OQmGMc4dg0EkuvYoG8kg7C0NEcxvYigRAW5sL0fGjGSzcwvb/hSTIZQXkTE0y8JBdTVn8iUoQnlIQ76A= bob\ "${HOME}"`
)

// otherPaths are paths on the droplet other than the defaults.
var otherPaths = Paths{Log: "/srv/infect/run.log", Status: "/srv/infect/state", CloudInitOutput: "/var/log/ci-out.log", CloudInit: "/var/log/ci.log", OSRelease: "/etc/os-release", OldRoot: "/old"}

// cloudConfig is the part of cloud-config the template uses.
type cloudConfig struct {
	WriteFiles []struct {
		Path, Permissions, Content string
	} `yaml:"write_files"`
	RunCmd     [][]string `yaml:"runcmd"`
	PowerState struct {
		Mode      string
		Condition []string
	} `yaml:"power_state"`
}

func (c cloudConfig) file(t *testing.T, path string) string {
	t.Helper()
	for _, f := range c.WriteFiles {
		if f.Path == path {
			return f.Content
		}
	}
	t.Fatalf("user data writes no %s", path)
	return ""
}

func TestRenderUserData(t *testing.T) {
	tests := []struct {
		name string
		in   Input
	}{
		{"settings as committed", Input{Channel: "nixos-25.11", Keys: []string{keyA}, Paths: DefaultPaths()}},
		{"unstable, two keys", Input{Channel: "nixos-unstable", Keys: []string{keyA, keyB}, Paths: DefaultPaths()}},
		{"other paths", Input{Channel: "nixos-24.11-small", Keys: []string{keyB}, Paths: otherPaths}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ud, err := Render(committedTemplate, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if first, _, _ := strings.Cut(ud, "\n"); first != "#cloud-config" {
				t.Errorf("first line %q, want #cloud-config", first)
			}
			var cc cloudConfig
			if err := yaml.Unmarshal([]byte(ud), &cc); err != nil {
				t.Fatalf("not YAML: %v\n%s", err, ud)
			}

			// What the script does is tested by running it (script_test.go).
			script := cc.file(t, "/root/infect-nixos.sh")
			if diff := cmp.Diff([][]string{{"bash", "/root/infect-nixos.sh"}}, cc.RunCmd); diff != "" {
				t.Errorf("runcmd (-want +got):\n%s", diff)
			}
			// Its condition is run against the status file by script_test.go.
			if cc.PowerState.Mode != "reboot" {
				t.Errorf("power_state mode = %q, want reboot", cc.PowerState.Mode)
			}
			checkYAML(t, ud)
			checkShell(t, script)
			checkImport(t, cc, tc.in.Keys)
			// The module on the droplet is the repository's, to the byte.
			if module, err := os.ReadFile(filepath.Join("..", "..", "digitalocean", "infect-import.nix")); err != nil || cc.file(t, "/etc/nixos/nixos-systems.nix") != string(module) {
				t.Errorf("the user data's module differs from digitalocean/infect-import.nix (%v):\n%s", err, cc.file(t, "/etc/nixos/nixos-systems.nix"))
			}
		})
	}
}

// yamllintConfig is yamllint's default rules less three that cloud-config
// cannot meet: its first line is the #cloud-config comment (no space, no
// "---" before it), and keys and URLs make long lines.
const yamllintConfig = `{extends: default, rules: {line-length: disable, document-start: disable, comments: {require-starting-space: false}}}`

// checkYAML lints the rendered user data with yamllint; warnings fail too.
func checkYAML(t *testing.T, ud string) {
	t.Helper()
	sshtest.Require(t, "yamllint", "yamllint")
	cmd := exec.Command("yamllint", "--strict", "-f", "parsable", "-d", yamllintConfig, "-")
	cmd.Stdin = strings.NewReader(ud)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("yamllint: %v\n%s", err, out)
	}
}

// checkShell runs the script through bash's parser and shellcheck.
func checkShell(t *testing.T, script string) {
	t.Helper()
	path := sshtest.TempFile(t, "infect-nixos.sh", script)
	if out, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
		t.Errorf("bash -n: %v\n%s", err, out)
	}
	sshtest.Require(t, "shellcheck", "shellcheck")
	if out, err := exec.Command("shellcheck", path).CombinedOutput(); err != nil {
		t.Errorf("shellcheck: %v\n%s\n%s", err, out, script)
	}
}

// checkImport writes the files of the user data into a temporary root, as
// cloud-init writes them on the droplet, evaluates the Nix module
// nixos-infect imports there, and compares the keys it gives root with the
// ones it was made from, so that no line is lost or changed on the way
// through YAML and the file beside the module.
func checkImport(t *testing.T, cc cloudConfig, keys []string) {
	t.Helper()
	sshtest.Require(t, "nix-instantiate", "nix-bin")
	root := t.TempDir()
	for _, f := range cc.WriteFiles {
		sshtest.WriteFile(t, filepath.Join(root, f.Path), f.Content)
	}
	module := filepath.Join(root, "etc", "nixos", "nixos-systems.nix")
	expr := `{ file }: let m = import file { lib.mkDefault = v: v; }; keyFiles = m.users.users.root.openssh.authorizedKeys.keyFiles; in ` +
		`{ keyFiles = map toString keyFiles; keys = map builtins.readFile keyFiles; params = m.boot.kernelParams; systemdInitrd = m.boot.initrd.systemd.enable; }`
	// The dummy store: evaluating needs no store, so this runs for any user
	// with no daemon, and Nix does not warn about a missing nixbld group.
	// Only stdout is parsed; stderr is shown when the evaluation fails.
	cmd := exec.Command("nix-instantiate", "--store", "dummy://", "--eval", "--strict", "--json", "--argstr", "file", module, "-E", expr)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("evaluate the import: %v\n%s\n%s", err, stderr.String(), cc.file(t, "/etc/nixos/nixos-systems.nix"))
	}
	var got struct {
		KeyFiles      []string
		Keys          []string
		Params        []string
		SystemdInitrd bool
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if want := []string{filepath.Join(root, "etc", "nixos", "authorized_keys")}; !cmp.Equal(got.KeyFiles, want) {
		t.Errorf("root's key files %q, want %q: the file the user data writes beside the module", got.KeyFiles, want)
	}
	var lines []string
	for _, file := range got.Keys {
		for _, line := range strings.Split(file, "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				lines = append(lines, line)
			}
		}
	}
	if diff := cmp.Diff(keys, lines); diff != "" {
		t.Errorf("root's keys through the import (-want +got):\n%s", diff)
	}
	if !cmp.Equal(got.Params, []string{"console=ttyS0,115200", "console=tty1"}) || got.SystemdInitrd {
		t.Errorf("import = %+v, want the consoles and the scripted initrd", got)
	}
}

func TestRenderRefuses(t *testing.T) {
	ok := Input{Channel: "nixos-25.11", Keys: []string{keyA}, Paths: DefaultPaths()}
	tests := []struct {
		name     string
		mutate   func(*Input)
		template string
		want     string
	}{
		{"no key", func(in *Input) { in.Keys = nil }, committedTemplate, "no authorized key for root"},
		{"shell in the channel", func(in *Input) { in.Channel = "nixos-25.11; reboot" }, committedTemplate, `INFECT_CHANNEL "nixos-25.11; reboot" is not a NixOS channel name`},
		{"not a channel", func(in *Input) { in.Channel = "25.11" }, committedTemplate, "use one such as nixos-25.11"},
		{"no template", func(*Input) {}, "missing.yaml", "run from the repository root"},
		{"too big", func(in *Input) {
			for len(in.Keys) < droplets.MaxUserData/len(keyA) {
				in.Keys = append(in.Keys, keyA)
			}
		}, committedTemplate, "DigitalOcean takes at most 65536"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := ok
			tc.mutate(&in)
			_, err := Render(tc.template, in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("not one line: %q", err)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name, ud, want string
	}{
		{"shell script", "#!/bin/sh\nreboot\n", `starts with "#!/bin/sh", not #cloud-config`},
		{"header not first", "\n#cloud-config\nruncmd: [reboot]\n", "make #cloud-config its first line"},
		{"bad YAML", "#cloud-config\nruncmd: [reboot\n", "not valid YAML"},
		{"no keys", "#cloud-config\n# nothing\n", "no cloud-config keys"},
		{"too big", "#cloud-config\n#" + strings.Repeat("x", droplets.MaxUserData) + "\nruncmd: []\n", "DigitalOcean takes at most 65536"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := Check(tc.ud); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Check = %v, want %q", err, tc.want)
			}
		})
	}
	if err := Check("#cloud-config\nruncmd: [reboot]\n"); err != nil {
		t.Errorf("Check of good user data: %v", err)
	}
}
