package remote

import "testing"

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/etc/os-release":    "/etc/os-release",
		".#nixos-anywhere":   ".#nixos-anywhere",
		"#comment":           "'#comment'",
		"nix-command flakes": "'nix-command flakes'",
		"it's":               `'it'\''s'`,
		"~/.ssh/id":          "'~/.ssh/id'",
		"[1.2.3.4]:2222":     "'[1.2.3.4]:2222'",
		"":                   "''",
	} {
		if got := ShellQuote(in); got != want {
			t.Errorf("ShellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
