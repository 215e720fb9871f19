package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// dropletHostFiles puts what an installed droplet keeps for its host entry
// under root, as the test sshd s would serve it, and the entries in a
// hosts folder of their own.
func dropletHostFiles(t *testing.T, s *sshtest.Server, root string) HostFiles {
	t.Helper()
	f := HostFiles{
		Dir: filepath.Join(t.TempDir(), "hosts"),
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

// repoHostFiles reads the repository's nixos-anywhere files and writes the
// entries in a hosts folder of the test's own.
func repoHostFiles(t *testing.T) HostFiles {
	repo := hosts.DefaultRepo()
	return HostFiles{
		Dir:    filepath.Join(t.TempDir(), "hosts"),
		Source: hosts.DefaultSource(),
		Repo: hosts.Repo{
			DiskConfig:    filepath.Join("..", "..", repo.DiskConfig),
			Configuration: filepath.Join("..", "..", repo.Configuration),
		},
	}
}

// wantHostEntry checks that dir holds the entry of one host, name, made by
// route at address, with the droplet's host key.
func wantHostEntry(t *testing.T, f HostFiles, s *sshtest.Server, name string, route hosts.Route, address string) {
	t.Helper()
	got, err := hosts.Load(f.Dir)
	if err != nil {
		t.Fatalf("host entries: %v", err)
	}
	if len(got) != 1 || got[0].Name != name || got[0].Route != route || got[0].Address != address {
		t.Fatalf("host entries %+v, want %s (%s) at %s", got, name, route, address)
	}
	key, err := os.ReadFile(filepath.Join(f.Dir, name, hosts.HostKeyFile))
	if err != nil || !strings.HasPrefix(string(key), s.HostPublicKey()) {
		t.Errorf("recorded host key %q, %v; want the droplet's %s", key, err, s.HostPublicKey())
	}
}
