package doapi

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const secret = "dop_v1_test_secret_value"

func TestToken(t *testing.T) {
	cfgHome := t.TempDir()
	if err := os.MkdirAll(filepath.Join(cfgHome, "doctl"), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := "access-token: from-default\ncontext: work\nauth-contexts:\n  work: from-work\n  play: from-play\n"
	if err := os.WriteFile(filepath.Join(cfgHome, "doctl", "config.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"environment wins", map[string]string{"DIGITALOCEAN_ACCESS_TOKEN": "from-env", "XDG_CONFIG_HOME": cfgHome}, "from-env"},
		{"doctl current context", map[string]string{"XDG_CONFIG_HOME": cfgHome}, "from-work"},
		{"DIGITALOCEAN_CONTEXT", map[string]string{"XDG_CONFIG_HOME": cfgHome, "DIGITALOCEAN_CONTEXT": "play"}, "from-play"},
		{"default context", map[string]string{"XDG_CONFIG_HOME": cfgHome, "DIGITALOCEAN_CONTEXT": "default"}, "from-default"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Token(func(k string) string { return tc.env[k] })
			if err != nil || got != tc.want {
				t.Fatalf("Token = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestTokenErrors(t *testing.T) {
	empty := t.TempDir()
	cfgHome := t.TempDir()
	os.MkdirAll(filepath.Join(cfgHome, "doctl"), 0o700)
	os.WriteFile(filepath.Join(cfgHome, "doctl", "config.yaml"), []byte("access-token: x\n"), 0o600)
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"none anywhere", map[string]string{"XDG_CONFIG_HOME": empty}, "export DIGITALOCEAN_ACCESS_TOKEN"},
		{"trailing space", map[string]string{"DIGITALOCEAN_ACCESS_TOKEN": secret + " "}, "contains whitespace"},
		{"newline inside", map[string]string{"DIGITALOCEAN_ACCESS_TOKEN": secret[:5] + "\n" + secret[5:]}, "contains whitespace"},
		{"unknown context", map[string]string{"XDG_CONFIG_HOME": cfgHome, "DIGITALOCEAN_CONTEXT": "nope"}, `doctl context "nope"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Token(func(k string) string { return tc.env[k] })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secret[5:]) {
				t.Errorf("error leaks the token: %q", err)
			}
		})
	}
	_, err := Token(func(k string) string { return map[string]string{"XDG_CONFIG_HOME": empty}[k] })
	if !errors.Is(err, ErrNoToken) {
		t.Errorf("err = %v, want ErrNoToken", err)
	}
}
