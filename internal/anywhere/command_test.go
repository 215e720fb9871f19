package anywhere

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
)

func TestCommand(t *testing.T) {
	t.Setenv("HOME", "/home/operator")
	run := []string{"nix", "--extra-experimental-features", "nix-command flakes", "run", ".#nixos-anywhere", "--", "--flake", ".#digitalocean"}
	for _, tc := range []struct {
		name string
		cfg  remote.Config
		want []string
	}{
		{
			"agent on port 22", remote.Config{Port: 22},
			append(run, "--target-host", "root@203.0.113.7", "--copy-host-keys"),
		},
		{
			"identity file and another port", remote.Config{IdentityFile: "/keys/deploy", Port: 2222},
			append(run, "--target-host", "root@203.0.113.7", "--copy-host-keys", "-i", "/keys/deploy", "--ssh-port", "2222"),
		},
		{
			// SSH_IDENTITY comes from the settings file, where no shell expands ~.
			"identity under home", remote.Config{IdentityFile: "~/.ssh/deploy"},
			append(run, "--target-host", "root@203.0.113.7", "--copy-host-keys", "-i", "/home/operator/.ssh/deploy"),
		},
		{
			"another user", remote.Config{User: "admin"},
			append(run, "--target-host", "admin@203.0.113.7", "--copy-host-keys"),
		},
	} {
		if diff := cmp.Diff(tc.want, Command("203.0.113.7", tc.cfg)); diff != "" {
			t.Errorf("%s: argv (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestCommandLine(t *testing.T) {
	got := runner.CommandLine(Command("203.0.113.7", remote.Config{IdentityFile: "/keys/my key"}))
	want := "nix --extra-experimental-features 'nix-command flakes' run .#nixos-anywhere -- --flake .#digitalocean " +
		"--target-host root@203.0.113.7 --copy-host-keys -i '/keys/my key'"
	if got != want {
		t.Errorf("CommandLine =\n%s\nwant\n%s", got, want)
	}
}
