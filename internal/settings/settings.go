// Package settings reads digitalocean/settings.env, the one place that holds
// what a droplet should look like, and lets environment variables override it.
// digitalocean/create-droplet.sh reads the same file, so the format is kept to
// what a shell loop can parse: KEY=value lines, # comments, no quoting.
package settings

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// DefaultFile is where the committed settings live, relative to the repo root.
const DefaultFile = "digitalocean/settings.env"

// ManagedTag marks every droplet and image this repo creates, so list and
// destroy can find them and never touch anything else.
const ManagedTag = "nixos-systems"

// Settings is everything a target needs to know before talking to DigitalOcean.
type Settings struct {
	Name          string
	Region        string
	Size          string
	Image         string
	IPv6          bool
	Project       string
	SSHKeys       []string
	Tags          []string
	InfectSize    string
	InfectChannel string
	SSHPort       int
	SSHUser       string
	SSHIdentity   string
	KnownHosts    string
	PublishDest   string
	PublicURL     string
}

// AllTags is the settings' tags plus ManagedTag, without duplicates.
func (s Settings) AllTags() []string {
	tags := []string{}
	for _, t := range append(append([]string{}, s.Tags...), ManagedTag) {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	return tags
}

type field struct {
	set func(s *Settings, v string) error
}

func str(p func(*Settings) *string) field {
	return field{func(s *Settings, v string) error { *p(s) = v; return nil }}
}

func list(p func(*Settings) *[]string) field {
	return field{func(s *Settings, v string) error { *p(s) = SplitList(v); return nil }}
}

var fields = map[string]field{
	"DROPLET_NAME":    str(func(s *Settings) *string { return &s.Name }),
	"DROPLET_REGION":  str(func(s *Settings) *string { return &s.Region }),
	"DROPLET_SIZE":    str(func(s *Settings) *string { return &s.Size }),
	"DROPLET_IMAGE":   str(func(s *Settings) *string { return &s.Image }),
	"DROPLET_PROJECT": str(func(s *Settings) *string { return &s.Project }),
	"DROPLET_SSH_KEYS": list(func(s *Settings) *[]string {
		return &s.SSHKeys
	}),
	"DROPLET_TAGS":       list(func(s *Settings) *[]string { return &s.Tags }),
	"INFECT_SIZE":        str(func(s *Settings) *string { return &s.InfectSize }),
	"INFECT_CHANNEL":     str(func(s *Settings) *string { return &s.InfectChannel }),
	"SSH_IDENTITY":       str(func(s *Settings) *string { return &s.SSHIdentity }),
	"SSH_KNOWN_HOSTS":    str(func(s *Settings) *string { return &s.KnownHosts }),
	"IMAGE_PUBLISH_DEST": str(func(s *Settings) *string { return &s.PublishDest }),
	"IMAGE_PUBLIC_URL":   str(func(s *Settings) *string { return &s.PublicURL }),
	"DROPLET_IPV6": {func(s *Settings, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("want true or false")
		}
		s.IPv6 = b
		return nil
	}},
	"DROPLET_SSH_USER": {func(s *Settings, v string) error {
		if !validUser.MatchString(v) {
			return fmt.Errorf("want a user name such as root")
		}
		s.SSHUser = v
		return nil
	}},
	"DROPLET_SSH_PORT": {func(s *Settings, v string) error {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 || p > 65535 {
			return fmt.Errorf("want a port number 1-65535")
		}
		s.SSHPort = p
		return nil
	}},
}

// validUser is what useradd accepts as a user name, and so what can stand
// before the @ of an SSH target.
var validUser = regexp.MustCompile(`^[a-z_][a-z0-9_.-]{0,31}$`)

// Keys lists every setting name, sorted.
func Keys() []string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// SplitList splits a comma-separated value, dropping blanks.
func SplitList(v string) []string {
	out := []string{}
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Load reads the settings file at path and then applies overrides from
// getenv for every known key. SETTINGS_FILE in getenv replaces path.
func Load(path string, getenv func(string) string) (Settings, error) {
	if f := getenv("SETTINGS_FILE"); f != "" {
		path = f
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Settings{}, fmt.Errorf("read settings: %w (run from the repository root or set SETTINGS_FILE)", err)
	}
	var s Settings
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return Settings{}, fmt.Errorf("%s:%d: %q is not KEY=value", path, n, line)
		}
		f, known := fields[key]
		if !known {
			return Settings{}, fmt.Errorf("%s:%d: unknown setting %q (known: %s)", path, n, key, strings.Join(Keys(), ", "))
		}
		if strings.ContainsAny(value, `"'`) {
			return Settings{}, fmt.Errorf("%s:%d: %s has quotes; write the value bare, as KEY=value", path, n, key)
		}
		if err := f.set(&s, value); err != nil {
			return Settings{}, fmt.Errorf("%s:%d: %s=%s: %w", path, n, key, value, err)
		}
		seen[key] = true
	}
	if err := sc.Err(); err != nil {
		return Settings{}, fmt.Errorf("read settings %s: %w", path, err)
	}
	for _, key := range Keys() {
		if v, ok := lookup(getenv, key); ok {
			if err := fields[key].set(&s, v); err != nil {
				return Settings{}, fmt.Errorf("environment %s=%s: %w", key, v, err)
			}
			seen[key] = true
		}
	}
	for _, key := range Keys() {
		if !seen[key] {
			return Settings{}, fmt.Errorf("%s: missing setting %s; copy it from the committed %s", path, key, DefaultFile)
		}
	}
	return s, nil
}

// lookup treats an empty environment variable as unset, as shells make it
// easy to export one by accident.
func lookup(getenv func(string) string, key string) (string, bool) {
	v := getenv(key)
	return v, v != ""
}
