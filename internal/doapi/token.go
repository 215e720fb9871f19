package doapi

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// ErrNoToken says where a token can come from; it never carries one.
var ErrNoToken = errors.New("no DigitalOcean token: export DIGITALOCEAN_ACCESS_TOKEN=… or run `doctl auth init`")

// doctlConfig is the part of doctl's config.yaml that holds tokens.
type doctlConfig struct {
	AccessToken  string            `yaml:"access-token"`
	Context      string            `yaml:"context"`
	AuthContexts map[string]string `yaml:"auth-contexts"`
}

// Token finds the API token the way doctl does: DIGITALOCEAN_ACCESS_TOKEN,
// else doctl's config file for the context named by DIGITALOCEAN_CONTEXT or
// the file's own current context. Errors name where the token came from,
// never the token.
func Token(getenv func(string) string) (string, error) {
	if tok := getenv("DIGITALOCEAN_ACCESS_TOKEN"); tok != "" {
		return tok, checkToken(tok, "DIGITALOCEAN_ACCESS_TOKEN")
	}
	path := doctlConfigPath(getenv)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", ErrNoToken
	}
	if err != nil {
		return "", fmt.Errorf("read doctl config: %w", err)
	}
	var cfg doctlConfig
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		return "", fmt.Errorf("doctl config %s is not valid YAML; fix it or export DIGITALOCEAN_ACCESS_TOKEN", path)
	}
	name := getenv("DIGITALOCEAN_CONTEXT")
	if name == "" {
		name = cfg.Context
	}
	tok := cfg.AccessToken
	if name != "" && name != "default" {
		var ok bool
		if tok, ok = cfg.AuthContexts[name]; !ok {
			return "", fmt.Errorf("doctl context %q is not in %s; run `doctl auth init --context %s` or `doctl auth switch`", name, path, name)
		}
	}
	if tok == "" {
		return "", ErrNoToken
	}
	return tok, checkToken(tok, path)
}

// checkToken rejects a token that a copy and paste mangled, which the API
// would otherwise answer with a puzzling 401.
func checkToken(tok, source string) error {
	if strings.IndexFunc(tok, unicode.IsSpace) >= 0 {
		return fmt.Errorf("the token in %s contains whitespace; paste it again without spaces or newlines", source)
	}
	return nil
}

func doctlConfigPath(getenv func(string) string) string {
	if dir := getenv("XDG_CONFIG_HOME"); dir != "" {
		return filepath.Join(dir, "doctl", "config.yaml")
	}
	home := getenv("HOME")
	if runtime.GOOS == "darwin" {
		return filepath.Join(home, "Library", "Application Support", "doctl", "config.yaml")
	}
	return filepath.Join(home, ".config", "doctl", "config.yaml")
}
