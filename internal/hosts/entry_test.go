package hosts

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWriteCreatesThenReplaces(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hosts")
	infect := Entry{Host: mustNew(t, "web1", Infect, "203.0.113.7"), Files: []File{
		{Name: HostKeyFile, Content: []byte(testKey + "\n")},
		{Name: HardwareFile, Content: []byte("{ }\n")},
		{Name: NetworkingFile, Content: []byte("{ networking.defaultGateway = \"203.0.113.1\"; }\n")},
	}}
	replaced, err := infect.Write(dir)
	if err != nil || replaced {
		t.Fatalf("first Write = %v, %v; want a new folder", replaced, err)
	}
	if got := readDir(t, filepath.Join(dir, "web1")); !cmp.Equal(got, []string{HardwareFile, MetaFile, NetworkingFile, HostKeyFile}) {
		t.Errorf("folder holds %v", got)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "web1", NetworkingFile)); string(got) != string(infect.Files[2].Content) {
		t.Errorf("networking.nix = %q", got)
	}

	// Reinstalled by the other route: the old route's files go.
	anywhere := Entry{Host: mustNew(t, "web1", Anywhere, "203.0.113.9"), Files: []File{
		{Name: HostKeyFile, Content: []byte(testKey + "\n")},
		{Name: DiskConfigFile, Content: []byte("{ disko.devices = { }; }\n")},
	}}
	replaced, err = anywhere.Write(dir)
	if err != nil || !replaced {
		t.Fatalf("second Write = %v, %v; want the folder replaced", replaced, err)
	}
	if got := readDir(t, filepath.Join(dir, "web1")); !cmp.Equal(got, []string{DiskConfigFile, MetaFile, HostKeyFile}) {
		t.Errorf("folder holds %v", got)
	}
	if got := readDir(t, dir); !cmp.Equal(got, []string{"web1"}) {
		t.Errorf("%s holds %v, want only the host's folder", dir, got)
	}
	hosts, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Host{anywhere.Host}, hosts); diff != "" {
		t.Errorf("Load after Write (-want +got):\n%s", diff)
	}
}

func TestWriteRefusesAnIncompleteEntry(t *testing.T) {
	dir := t.TempDir()
	h := mustNew(t, "web1", Infect, "203.0.113.7")
	for _, tc := range []struct {
		name  string
		files []File
		want  string
	}{
		{"not copied", []File{{Name: HostKeyFile, Content: []byte(testKey)}, {Name: HardwareFile, From: "x"}, {Name: NetworkingFile, Content: []byte("{ }")}}, "hardware-configuration.nix has not been copied"},
		{"missing file", []File{{Name: HostKeyFile, Content: []byte(testKey)}, {Name: HardwareFile, Content: []byte("{ }")}}, "route infect needs"},
		{"other route's file", []File{{Name: HostKeyFile, Content: []byte(testKey)}, {Name: DiskConfigFile, Content: []byte("{ }")}, {Name: NetworkingFile, Content: []byte("{ }")}}, "route infect needs"},
	} {
		if _, err := (Entry{Host: h, Files: tc.files}).Write(dir); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Write = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	if got := readDir(t, dir); len(got) != 0 {
		t.Errorf("refused writes left %v", got)
	}
}

func TestDescribe(t *testing.T) {
	e, err := Plan(Install{Name: "web1", Route: Infect, Address: "203.0.113.7", StateVersion: "23.11", Source: DefaultSource()})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := e.Describe(&out, "hosts"); err != nil {
		t.Fatal(err)
	}
	want := `  hosts/web1/host.json:
    {
      "hostname": "web1",
      "route": "infect",
      "address": "203.0.113.7",
      "stateVersion": "23.11"
    }
  hosts/web1/ssh_host_ed25519_key.pub    from /etc/ssh/ssh_host_ed25519_key.pub on the droplet
  hosts/web1/hardware-configuration.nix  from /etc/nixos/hardware-configuration.nix on the droplet (written by nixos-infect)
  hosts/web1/networking.nix              from /etc/nixos/networking.nix on the droplet (written by nixos-infect)
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("Describe (-want +got):\n%s", diff)
	}
}

func TestPlanTakesStateVersionFromTheRepository(t *testing.T) {
	dir := t.TempDir()
	repo := Repo{DiskConfig: filepath.Join(dir, "disk-config.nix"), Configuration: filepath.Join(dir, "configuration.nix")}
	write(t, dir, "configuration.nix", "{ ... }:\n{\n  services.openssh.enable = true;\n  system.stateVersion = \"24.05\";\n}\n")
	e, err := Plan(Install{Name: "web1", Route: Anywhere, Address: "203.0.113.7", StateVersion: "ignored", Source: DefaultSource(), Repo: repo})
	if err != nil {
		t.Fatal(err)
	}
	if e.Host.StateVersion != "24.05" {
		t.Errorf("stateVersion %q, want the repository's 24.05", e.Host.StateVersion)
	}
	write(t, dir, "configuration.nix", "{ }\n")
	if _, err := Plan(Install{Name: "web1", Route: Anywhere, Address: "203.0.113.7", Source: DefaultSource(), Repo: repo}); err == nil || !strings.Contains(err.Error(), "no line `system.stateVersion") {
		t.Errorf("Plan without a stateVersion line = %v", err)
	}
}

// The real anywhere configuration must keep the line Plan reads.
func TestRepositoryConfigurationHasAStateVersion(t *testing.T) {
	repo := DefaultRepo()
	repo.Configuration = filepath.Join("..", "..", repo.Configuration)
	sv, err := repoStateVersion(repo.Configuration)
	if err != nil {
		t.Fatal(err)
	}
	if !validStateVersion.MatchString(sv) {
		t.Errorf("stateVersion %q", sv)
	}
}

func readDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
