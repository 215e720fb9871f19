package deploy

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
)

var deployRS = []string{"nix", "--extra-experimental-features", "nix-command flakes", "run", ".#deploy-rs", "--"}

func host(t *testing.T, name, addr string) hosts.Host {
	t.Helper()
	h, err := hosts.New(name, hosts.Anywhere, addr, "25.11")
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestCommandForOneHost(t *testing.T) {
	t.Setenv("HOME", "/home/operator")
	web1 := host(t, "web1", "203.0.113.7")
	strict := []string{"-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=15", "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3"}
	for _, tc := range []struct {
		name string
		h    hosts.Host
		cfg  remote.Config
		want []string
	}{
		{
			"ssh-agent and ~/.ssh/known_hosts", web1, remote.Config{},
			append(append(deployRS, `.#"web1"`, "--skip-checks", "--magic-rollback", "true", "--auto-rollback", "true", "--ssh-opts"),
				strings.Join(append([]string{"-o", "UserKnownHostsFile=/home/operator/.ssh/known_hosts"}, strict...), " ")),
		},
		{
			"identity, known_hosts and port from the settings", web1,
			remote.Config{IdentityFile: "~/.ssh/deploy", KnownHostsFile: "/etc/ops/known_hosts", Port: 2222},
			append(append(deployRS, `.#"web1"`, "--skip-checks", "--magic-rollback", "true", "--auto-rollback", "true", "--ssh-opts"),
				strings.Join(append(append([]string{"-o", "UserKnownHostsFile=/etc/ops/known_hosts"}, strict...), "-i", "/home/operator/.ssh/deploy", "-o", "IdentitiesOnly=yes", "-p", "2222"), " ")),
		},
		{
			"a name with dots, another login user", host(t, "test2.nidus.cloud", "203.0.113.8"),
			remote.Config{User: "deploy", KnownHostsFile: "/k", Port: 22},
			append(append(deployRS, `.#"test2.nidus.cloud"`, "--skip-checks", "--magic-rollback", "true", "--auto-rollback", "true", "--ssh-opts"),
				strings.Join(append([]string{"-o", "UserKnownHostsFile=/k"}, strict...), " "), "--ssh-user", "deploy"),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Command(tc.h, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("argv (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCommandsForManyHosts(t *testing.T) {
	cfg := remote.Config{KnownHostsFile: "/k", IdentityFile: "/id"}
	hs := []hosts.Host{host(t, "web1", "203.0.113.7"), host(t, "web2", "203.0.113.8")}
	opts := "-o UserKnownHostsFile=/k -o StrictHostKeyChecking=yes -o ConnectTimeout=15 -o ServerAliveInterval=15 -o ServerAliveCountMax=3 -i /id -o IdentitiesOnly=yes"
	deploy := func(name string) []string {
		return append(append([]string{}, deployRS...), `.#"`+name+`"`, "--skip-checks", "--magic-rollback", "true", "--auto-rollback", "true", "--ssh-opts", opts)
	}
	got, err := Commands(hs, Options{SSH: cfg})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"nix", "--extra-experimental-features", "nix-command flakes", "flake", "check"},
		deploy("web1"),
		deploy("web2"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
	got, err = Commands(hs, Options{SSH: cfg, SkipChecks: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want[1:], got); diff != "" {
		t.Errorf("commands without checks (-want +got):\n%s", diff)
	}
}

func TestCommandRefusesPathsWithSpaces(t *testing.T) {
	for _, cfg := range []remote.Config{
		{KnownHostsFile: "/home/op/my hosts"},
		{KnownHostsFile: "/k", IdentityFile: "/keys/my key"},
	} {
		_, err := Command(host(t, "web1", "203.0.113.7"), cfg)
		if err == nil || !strings.Contains(err.Error(), "splits its ssh options at spaces") {
			t.Errorf("Command(%+v) = %v, want a refusal", cfg, err)
		}
	}
}
