package hosts

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"

	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// nixosInfectConfig is the shape of the configuration.nix nixos-infect's
// makeConf writes at the pin (internal/infect/pin.go).
const nixosInfectConfig = `{ ... }: {
  imports = [
    ./hardware-configuration.nix
    ./networking.nix # generated at runtime by nixos-infect
    ./nixos-systems.nix
  ];

  # Workaround for https://github.com/NixOS/nix/issues/8502
  services.logrotate.checkConfig = false;

  boot.tmp.cleanOnBoot = true;
  zramSwap.enable = true;
  networking.hostName = "cheap1";
  networking.domain = "";
  services.openssh.enable = true;
  users.users.root.openssh.authorizedKeys.keys = [''ssh-ed25519 AAAA'' ];
  system.stateVersion = "23.11";
}
`

// droplet is the loopback sshd standing in for an installed droplet: its
// "/" is root, a temporary directory with the files an install leaves.
type droplet struct {
	sshd *sshtest.Server
	root string
	src  Source
}

func newDroplet(t *testing.T) *droplet {
	s := sshtest.Start(t)
	root := t.TempDir()
	d := &droplet{sshd: s, root: root, src: Source{
		HostKey: filepath.Join(root, "etc/ssh/ssh_host_ed25519_key.pub"),
		NixOS:   filepath.Join(root, "etc/nixos"),
	}}
	sshtest.WriteFile(t, d.src.HostKey, s.HostPublicKey()+" root@cheap1\n")
	return d
}

func (d *droplet) dial(t *testing.T) *remote.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), sshtest.HangLimit)
	defer cancel()
	c, err := remote.Dial(ctx, d.sshd.Host, remote.Config{
		User: d.sshd.User, Port: d.sshd.Port, IdentityFile: d.sshd.ClientKeyFile,
		KnownHostsFile: d.sshd.KnownHostsFile(t),
	})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestCollectInfectHostOverSSH(t *testing.T) {
	d := newDroplet(t)
	hardware := "{ modulesPath, ... }:\n{\n  imports = [ (modulesPath + \"/profiles/qemu-guest.nix\") ];\n  boot.loader.grub.device = \"/dev/vda\";\n  fileSystems.\"/\" = { device = \"/dev/vda1\"; fsType = \"ext4\"; };\n}\n"
	networking := "{ lib, ... }: {\n  networking.defaultGateway = \"203.0.113.1\";\n}\n"
	sshtest.WriteFile(t, filepath.Join(d.src.NixOS, "configuration.nix"), nixosInfectConfig)
	sshtest.WriteFile(t, filepath.Join(d.src.NixOS, HardwareFile), hardware)
	sshtest.WriteFile(t, filepath.Join(d.src.NixOS, NetworkingFile), networking)

	ctx := context.Background()
	e, err := Collect(ctx, d.dial(t), Install{Name: "cheap1", Route: Infect, Address: "203.0.113.7", StateVersion: "99.99", Source: d.src})
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "hosts")
	if _, err := e.Write(dir); err != nil {
		t.Fatal(err)
	}

	hosts, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := Host{Name: "cheap1", Hostname: "cheap1", Route: Infect, Address: "203.0.113.7", StateVersion: "23.11"}
	if diff := cmp.Diff([]Host{want}, hosts); diff != "" {
		t.Errorf("host written (-want +got):\n%s", diff)
	}
	for name, content := range map[string]string{HardwareFile: hardware, NetworkingFile: networking, HostKeyFile: d.sshd.HostPublicKey() + " root@cheap1\n"} {
		got, err := os.ReadFile(filepath.Join(dir, "cheap1", name))
		if err != nil || string(got) != content {
			t.Errorf("%s = %q, %v; want the droplet's %q", name, got, err, content)
		}
	}
	key, err := hosts[0].HostKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fp := ssh.FingerprintSHA256(key); fp != d.sshd.HostKeyFingerprint {
		t.Errorf("recorded host key %s, the sshd's is %s", fp, d.sshd.HostKeyFingerprint)
	}
}

func TestCollectAnywhereHostCopiesTheRepositoryLayout(t *testing.T) {
	d := newDroplet(t)
	repoDir := t.TempDir()
	repo := Repo{DiskConfig: filepath.Join(repoDir, "disk-config.nix"), Configuration: filepath.Join(repoDir, "configuration.nix")}
	layout := "{ disko.devices.disk.disk1.device = \"/dev/vda\"; }\n"
	sshtest.WriteFile(t, repo.DiskConfig, layout)
	sshtest.WriteFile(t, repo.Configuration, "{\n  system.stateVersion = \"25.11\";\n}\n")

	e, err := Collect(context.Background(), d.dial(t), Install{Name: "web1.example.com", Route: Anywhere, Address: "203.0.113.8", Source: d.src, Repo: repo})
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	got := map[string]string{}
	for _, f := range e.Files {
		got[f.Name] = string(f.Content)
	}
	want := map[string]string{DiskConfigFile: layout, HostKeyFile: d.sshd.HostPublicKey() + " root@cheap1\n"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if e.Host.StateVersion != "25.11" || e.Host.Domain != "example.com" {
		t.Errorf("host %+v", e.Host)
	}
}

func TestCollectFailures(t *testing.T) {
	d := newDroplet(t)
	c := d.dial(t)
	in := Install{Name: "cheap1", Route: Infect, Address: "203.0.113.7", Source: d.src}

	// Nothing written yet: the missing file is named with cat's own words.
	if _, err := Collect(context.Background(), c, in); err == nil || !strings.Contains(err.Error(), "configuration.nix: No such file") {
		t.Errorf("without configuration.nix: %v", err)
	}

	sshtest.WriteFile(t, filepath.Join(d.src.NixOS, "configuration.nix"), nixosInfectConfig)
	sshtest.WriteFile(t, filepath.Join(d.src.NixOS, HardwareFile), "{ }\n")
	sshtest.WriteFile(t, filepath.Join(d.src.NixOS, NetworkingFile), "")
	if _, err := Collect(context.Background(), c, in); err == nil || !strings.Contains(err.Error(), "networking.nix on cheap1 is empty") {
		t.Errorf("with an empty networking.nix: %v", err)
	}

	// A key file that is not the key the host showed when we logged in.
	sshtest.WriteFile(t, filepath.Join(d.src.NixOS, NetworkingFile), "{ }\n")
	sshtest.WriteFile(t, d.src.HostKey, testKey+"\n")
	if _, err := Collect(context.Background(), c, in); err == nil || !strings.Contains(err.Error(), "is not the key it showed") {
		t.Errorf("with another host key: %v", err)
	}

	sshtest.WriteFile(t, d.src.HostKey, d.sshd.HostPublicKey()+"\n")
	sshtest.WriteFile(t, filepath.Join(d.src.NixOS, "configuration.nix"), "{ }\n")
	if _, err := Collect(context.Background(), c, in); err == nil || !strings.Contains(err.Error(), "no line `system.stateVersion") {
		t.Errorf("without a stateVersion: %v", err)
	}
}
