package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// dropletHostFiles puts what an installed droplet keeps for its host entry
// under root, as the test sshd s would serve it.
func dropletHostFiles(t testing.TB, s *sshtest.Server, root string) HostFiles {
	t.Helper()
	f := HostFiles{
		Source: hosts.Source{
			HostKey: filepath.Join(root, "etc/ssh/ssh_host_ed25519_key.pub"),
			NixOS:   filepath.Join(root, "etc/nixos"),
		},
	}
	sshtest.WriteFile(t, f.Source.HostKey, s.HostPublicKey()+" root@droplet\n")
	sshtest.WriteFile(t, filepath.Join(f.Source.NixOS, "configuration.nix"), "{ ... }: {\n  system.stateVersion = \"23.11\";\n}\n")
	sshtest.WriteFile(t, filepath.Join(f.Source.NixOS, hosts.HardwareFile), "{ fileSystems.\"/\" = { device = \"/dev/vda1\"; fsType = \"ext4\"; }; }\n")
	sshtest.WriteFile(t, filepath.Join(f.Source.NixOS, hosts.NetworkingFile), "{ networking.defaultGateway = \"203.0.113.1\"; }\n")
	return f
}

// repoHostFiles reads the repository's nixos-anywhere files.
func repoHostFiles() HostFiles {
	repo := hosts.DefaultRepo()
	return HostFiles{
		Source: hosts.DefaultSource(),
		Repo: hosts.Repo{
			DiskConfig:    filepath.Join("..", "..", repo.DiskConfig),
			Configuration: filepath.Join("..", "..", repo.Configuration),
		},
	}
}

// wantHostEntry checks that dir holds the entry of one host, name, made by
// route at address, with the droplet's host key.
func wantHostEntry(t *testing.T, dir string, s *sshtest.Server, name string, route hosts.Route, address string) {
	t.Helper()
	got, err := hosts.Load(dir)
	if err != nil {
		t.Fatalf("host entries: %v", err)
	}
	if len(got) != 1 || got[0].Name != name || got[0].Route != route || got[0].Address != address {
		t.Fatalf("host entries %+v, want %s (%s) at %s", got, name, route, address)
	}
	key, err := os.ReadFile(filepath.Join(dir, name, hosts.HostKeyFile))
	if err != nil || !strings.HasPrefix(string(key), s.HostPublicKey()) {
		t.Errorf("recorded host key %q, %v; want the droplet's %s", key, err, s.HostPublicKey())
	}
}

func TestListShowsWhichDropletsAreHosts(t *testing.T) {
	te := newTestEnv(t, fastSim)
	ctx := context.Background()
	for _, name := range []string{"web1", "web2"} {
		if err := Create(ctx, te.Env, Overrides{Name: ptr(name)}, false); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
	ips := map[string]string{}
	for _, d := range te.Sim.Droplets() {
		ips[d.Name], _ = d.PublicIPv4()
	}
	// web1 is a host; web2 is not; web3 is a host whose droplet is gone.
	writeTestEntry(t, te.HostsDir, "web1", ips["web1"])
	writeTestEntry(t, te.HostsDir, "web3", "203.0.113.9")
	te.Stdout.Reset()
	te.Stderr.Reset()

	if err := List(ctx, te.Env, false); err != nil {
		t.Fatal(err)
	}
	hostCell := map[string]string{}
	for _, line := range strings.Split(te.Stdout.String(), "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "web") {
			hostCell[f[0]] = f[len(f)-1]
		}
	}
	if hostCell["web1"] != "yes" || hostCell["web2"] != "no" || len(hostCell) != 2 {
		t.Errorf("Host column %v, want web1 yes, web2 no:\n%s", hostCell, te.Stdout)
	}
	if !strings.Contains(te.Stderr.String(), "web3 is a host, but this repo has no droplet named web3") {
		t.Errorf("stderr does not warn about web3:\n%s", te.Stderr)
	}

	// A droplet at another address than its entry says.
	writeTestEntry(t, te.HostsDir, "web1", "203.0.113.50")
	te.Stderr.Reset()
	if err := List(ctx, te.Env, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(te.Stderr.String(), "records the address 203.0.113.50, but droplet web1 is at "+ips["web1"]) {
		t.Errorf("stderr does not warn about web1's address:\n%s", te.Stderr)
	}
	if !strings.Contains(te.Stdout.String(), `"host": true`) {
		t.Errorf("JSON lacks the host field:\n%s", te.Stdout)
	}
}

func writeTestEntry(t *testing.T, dir, name, addr string) {
	t.Helper()
	h, err := hosts.New(name, hosts.Anywhere, addr, "25.11")
	if err != nil {
		t.Fatal(err)
	}
	e := hosts.Entry{Host: h, Files: []hosts.File{
		{Name: hosts.HostKeyFile, Content: []byte(testKey + "\n")},
		{Name: hosts.DiskConfigFile, Content: []byte("{ }\n")},
	}}
	if _, err := e.Write(dir); err != nil {
		t.Fatal(err)
	}
}
