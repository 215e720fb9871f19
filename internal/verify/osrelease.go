package verify

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
)

// DefaultOSRelease is the file that names the running system (os-release(5)).
const DefaultOSRelease = "/etc/os-release"

// OSRelease is what os-release says about the running system.
type OSRelease struct {
	ID         string // "nixos", "debian" …
	VariantID  string // "installer" in NixOS's installer images, which nixos-anywhere kexecs into
	PrettyName string
}

// IsNixOS reports whether the system is NixOS, installed or installer.
func (o OSRelease) IsNixOS() bool { return o.ID == "nixos" }

// IsInstaller reports whether the system is a NixOS installer running from
// RAM: what a nixos-anywhere run leaves behind when it stops between kexec
// and reboot.
func (o OSRelease) IsInstaller() bool { return o.IsNixOS() && o.VariantID == "installer" }

// String names the system for reports: its pretty name and ID.
func (o OSRelease) String() string {
	if o.PrettyName == "" {
		return "ID=" + o.ID
	}
	return fmt.Sprintf("%s (ID=%s)", o.PrettyName, o.ID)
}

// ReadOSRelease reads and parses the os-release file at path ("" =
// DefaultOSRelease) on the host c is connected to.
func ReadOSRelease(ctx context.Context, c *remote.Client, path string) (OSRelease, error) {
	if path == "" {
		path = DefaultOSRelease
	}
	out, err := c.Output(ctx, "cat "+remote.ShellQuote(path))
	if err != nil {
		return OSRelease{}, fmt.Errorf("read %s: %w", path, err)
	}
	o := parseOSRelease(string(out))
	if o.ID == "" {
		return o, fmt.Errorf("%s has no ID= line, so the system is unknown", path)
	}
	return o, nil
}

// parseOSRelease reads the shell-style KEY=value lines of os-release(5).
func parseOSRelease(text string) OSRelease {
	var o OSRelease
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		key, value, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok || strings.HasPrefix(key, "#") {
			continue
		}
		value = unquote(value)
		switch key {
		case "ID":
			o.ID = value
		case "VARIANT_ID":
			o.VariantID = value
		case "PRETTY_NAME":
			o.PrettyName = value
		}
	}
	return o
}

// unquote undoes the single or double quotes os-release(5) allows, with the
// backslash escapes allowed inside double quotes.
func unquote(v string) string {
	if len(v) < 2 || v[0] != v[len(v)-1] || (v[0] != '"' && v[0] != '\'') {
		return v
	}
	quote, v := v[0], v[1:len(v)-1]
	if quote == '\'' {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) && strings.IndexByte("\"\\$`", v[i+1]) >= 0 {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}
