package infect

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"gopkg.in/yaml.v3"

	"github.com/Gleipnir-Technology/nixos-systems/internal/authkeys"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
)

// TemplateFile is the user data template, relative to the repository root.
const TemplateFile = "digitalocean/infect-nixos.yaml"

// cloudConfigHeader must be the first line: cloud-init treats user data
// without it as something other than cloud-config, and ignores its keys.
const cloudConfigHeader = "#cloud-config\n"

// Input is what the user data is made from.
type Input struct {
	Channel string   // NIX_CHANNEL, e.g. nixos-25.11 (INFECT_CHANNEL)
	Keys    []string // authorized_keys lines that may log in as root
	Paths   Paths    // where the droplet keeps the log and the state
}

// The channel lands in a shell script and in a URL, so only channel-like
// names pass.
var validChannel = regexp.MustCompile(`^nixos-[0-9a-z][0-9a-z.-]*$`)

// pin names a nixos-infect script: where to download it and its sha256.
type pin struct{ Commit, ScriptURL, ScriptSHA256 string }

// pinned is the nixos-infect the droplet runs (pin.go).
var pinned = pin{Commit, ScriptURL, ScriptSHA256}

// Render fills the template at tmplPath with in and the nixos-infect pin,
// and checks the result as DigitalOcean and cloud-init will.
func Render(tmplPath string, in Input) (string, error) {
	return render(tmplPath, in, pinned, "")
}

// render is Render with the script of p, and with every file the user data
// touches on the droplet (the `at` function of the template) moved below
// root, as Paths.Under does. On a droplet root is "" and the paths are as
// written; tests run the rendered script in a temporary root. The template
// takes in files beside it with `include`, indented with `indent` to sit in
// a YAML block.
func render(tmplPath string, in Input, p pin, root string) (string, error) {
	if !validChannel.MatchString(in.Channel) {
		return "", fmt.Errorf("INFECT_CHANNEL %q is not a NixOS channel name: use one such as nixos-25.11", in.Channel)
	}
	if len(in.Keys) == 0 {
		return "", fmt.Errorf("no authorized key for root: without one nobody can log in after the switch; add one to %s", authkeys.File)
	}
	text, err := os.ReadFile(tmplPath)
	if err != nil {
		return "", fmt.Errorf("read user data template: %w (run from the repository root)", err)
	}
	tmpl, err := template.New(tmplPath).Funcs(template.FuncMap{
		"sh":       remote.ShellQuote,
		"relative": func(p string) string { return strings.TrimLeft(p, "/") },
		"include": func(name string) (string, error) {
			b, err := os.ReadFile(filepath.Join(filepath.Dir(tmplPath), name))
			return string(b), err
		},
		"indent": indent,
		"at": func(p string) string {
			if root == "" {
				return p
			}
			return filepath.Join(root, p)
		},
	}).Parse(string(text))
	if err != nil {
		return "", fmt.Errorf("parse user data template: %w", err)
	}
	var out bytes.Buffer
	data := struct {
		Input
		pin
	}{in, p}
	if err := tmpl.Execute(&out, data); err != nil {
		return "", fmt.Errorf("render user data: %w", err)
	}
	ud := out.String()
	if err := Check(ud); err != nil {
		return "", fmt.Errorf("%s renders to bad user data: %w", tmplPath, err)
	}
	return ud, nil
}

// Check reports what would make DigitalOcean refuse ud or cloud-init ignore it.
func Check(ud string) error {
	if len(ud) > droplets.MaxUserData {
		return fmt.Errorf("user data is %d bytes, DigitalOcean takes at most %d: shorten %s or the template", len(ud), droplets.MaxUserData, authkeys.File)
	}
	if !strings.HasPrefix(ud, cloudConfigHeader) {
		first, _, _ := strings.Cut(ud, "\n")
		return fmt.Errorf("user data starts with %.40q, not #cloud-config: cloud-init would ignore it; make #cloud-config its first line", first)
	}
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(ud), &doc); err != nil {
		return fmt.Errorf("user data is not valid YAML: %w", err)
	}
	if len(doc) == 0 {
		return fmt.Errorf("user data holds no cloud-config keys")
	}
	return nil
}

// indent puts n spaces before every line of s that is not empty, and drops
// its last newline, which the template writes itself.
func indent(n int, s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = strings.Repeat(" ", n) + l
		}
	}
	return strings.Join(lines, "\n")
}
