package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/Gleipnir-Technology/nixos-systems/internal/settings/settingstest"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// The committed file is the operator's to edit, so only that it loads is
// asserted: a broken edit stops every target, and this test, alike.
func TestCommittedFileLoads(t *testing.T) {
	if _, err := Load(filepath.Join("..", "..", DefaultFile), env(nil)); err != nil {
		t.Fatal(err)
	}
}

func TestLoadFile(t *testing.T) {
	s, err := Load(settingstest.File(t), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := Settings{
		Name: "nixos-1", Region: "sfo3", Size: "s-1vcpu-2gb", Image: "debian-12-x64", IPv6: true,
		Project: "ce2159e8-02f5-4169-8943-f34ccf812d23",
		SSHKeys: []string{"48777034"}, Tags: []string{"nixos"}, InfectSize: "s-1vcpu-1gb", InfectChannel: "nixos-25.11",
		SSHPort: 22, SSHUser: "root", PublishDest: "static.gleipnir.technology:/var/www/static/", PublicURL: "https://static.gleipnir.technology/",
	}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"nixos", ManagedTag}, s.AllTags()); diff != "" {
		t.Errorf("AllTags (-want +got):\n%s", diff)
	}
}

func TestEnvironmentOverridesFile(t *testing.T) {
	s, err := Load(settingstest.File(t), env(map[string]string{
		"DROPLET_SIZE": "s-2vcpu-4gb", "DROPLET_IPV6": "false", "DROPLET_SSH_KEYS": "1, 2,,aa:bb", "DROPLET_SSH_PORT": "2222",
		"DROPLET_SSH_USER": "alice",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if s.Size != "s-2vcpu-4gb" || s.IPv6 || s.SSHPort != 2222 || s.SSHUser != "alice" {
		t.Errorf("overrides not applied: %+v", s)
	}
	if diff := cmp.Diff([]string{"1", "2", "aa:bb"}, s.SSHKeys); diff != "" {
		t.Errorf("SSHKeys (-want +got):\n%s", diff)
	}
}

func TestSettingsFileVariable(t *testing.T) {
	path := write(t, strings.Join(fullFile(), "\n"))
	s, err := Load("does-not-exist", env(map[string]string{"SETTINGS_FILE": path}))
	if err != nil {
		t.Fatal(err)
	}
	if s.Region != "ams3" {
		t.Errorf("region = %q, want the one from SETTINGS_FILE", s.Region)
	}
}

func fullFile() []string {
	lines := []string{"# test"}
	for _, k := range Keys() {
		v := "x"
		switch k {
		case "DROPLET_IPV6":
			v = "true"
		case "DROPLET_SSH_PORT":
			v = "22"
		case "DROPLET_REGION":
			v = "ams3"
		}
		lines = append(lines, k+"="+v)
	}
	return lines
}

func write(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "settings.env")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBadSettings(t *testing.T) {
	replace := func(key, line string) string {
		var out []string
		for _, l := range fullFile() {
			if strings.HasPrefix(l, key+"=") {
				l = line
			}
			out = append(out, l)
		}
		return strings.Join(out, "\n")
	}
	tests := []struct {
		name, content string
		env           map[string]string
		want          string
	}{
		{"unknown key", replace("DROPLET_NAME", "DROPLET_NAM=x"), nil, `unknown setting "DROPLET_NAM"`},
		{"no equals", replace("DROPLET_NAME", "DROPLET_NAME x"), nil, `is not KEY=value`},
		{"quotes", replace("DROPLET_NAME", `DROPLET_NAME="x"`), nil, "write the value bare"},
		{"bad bool", replace("DROPLET_IPV6", "DROPLET_IPV6=maybe"), nil, "DROPLET_IPV6=maybe: want true or false"},
		{"bad port", replace("DROPLET_SSH_PORT", "DROPLET_SSH_PORT=99999"), nil, "DROPLET_SSH_PORT=99999: want a port number"},
		{"bad user", replace("DROPLET_SSH_USER", "DROPLET_SSH_USER=root@host"), nil, "DROPLET_SSH_USER=root@host: want a user name"},
		{"empty user", replace("DROPLET_SSH_USER", "DROPLET_SSH_USER="), nil, "DROPLET_SSH_USER=: want a user name"},
		{"missing key", replace("DROPLET_SSH_PORT", ""), nil, "missing setting DROPLET_SSH_PORT"},
		{"bad env", strings.Join(fullFile(), "\n"), map[string]string{"DROPLET_IPV6": "yes please"}, "environment DROPLET_IPV6=yes please: want true or false"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(write(t, tc.content), env(tc.env))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}
