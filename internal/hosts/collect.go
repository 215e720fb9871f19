package hosts

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path"
	"regexp"

	"golang.org/x/crypto/ssh"

	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
)

// Source says where an installed droplet keeps what its entry copies.
type Source struct {
	HostKey string // the host's ed25519 public key
	// NixOS is where nixos-infect wrote configuration.nix and the
	// hardware-configuration.nix and networking.nix it generated (names
	// and place read in nixos-infect's makeConf at the pin).
	NixOS string
}

// DefaultSource is where a real droplet keeps them.
func DefaultSource() Source {
	return Source{HostKey: "/etc/ssh/ssh_host_ed25519_key.pub", NixOS: "/etc/nixos"}
}

// Repo names the files of this repository an anywhere install used.
type Repo struct {
	DiskConfig    string // the disk layout disko wrote
	Configuration string // the configuration whose system.stateVersion the host got
}

// DefaultRepo is the nixos-anywhere route's files, relative to the repository root.
func DefaultRepo() Repo {
	return Repo{DiskConfig: "nixos-anywhere/disk-config.nix", Configuration: "nixos-anywhere/configuration.nix"}
}

// Install is what a route installed.
type Install struct {
	Name    string // the droplet's name
	Route   Route
	Address string // its public IPv4
	// StateVersion is what the install gives system.stateVersion, for
	// Plan; Collect reads the installed value instead.
	StateVersion string
	Source       Source
	Repo         Repo // anywhere only
}

// Plan is the entry Collect will write for in, with no content copied
// yet: what a dry run shows. Its Address may still be "" when the droplet
// is yet to be made.
func Plan(in Install) (Entry, error) {
	sv := in.StateVersion
	if in.Route == Anywhere {
		var err error
		if sv, err = repoStateVersion(in.Repo.Configuration); err != nil {
			return Entry{}, err
		}
	}
	addr := cmp.Or(in.Address, "192.0.2.1") // checked as an address to come
	h, err := New(in.Name, in.Route, addr, sv)
	if err != nil {
		return Entry{}, err
	}
	h.Address = in.Address
	e := Entry{Host: h, Files: []File{{Name: HostKeyFile, From: in.Source.HostKey + " on the droplet"}}}
	switch in.Route {
	case Anywhere:
		e.Files = append(e.Files, File{Name: DiskConfigFile, From: in.Repo.DiskConfig})
	case Infect:
		for _, f := range []string{HardwareFile, NetworkingFile} {
			e.Files = append(e.Files, File{Name: f, From: path.Join(in.Source.NixOS, f) + " on the droplet (written by nixos-infect)"})
		}
	}
	return e, nil
}

// Collect makes the entry of the host in describes, copying from the
// droplet over c what it generated during the install: its host key and,
// for infect, nixos-infect's hardware and networking files and the
// stateVersion its configuration.nix sets.
func Collect(ctx context.Context, c *remote.Client, in Install) (Entry, error) {
	if in.Route == Infect {
		conf, err := c.Output(ctx, "cat -- "+remote.ShellQuote(path.Join(in.Source.NixOS, "configuration.nix")))
		if err != nil {
			return Entry{}, fmt.Errorf("copy the host entry of %s: %w", in.Name, err)
		}
		sv, err := stateVersion(conf)
		if err != nil {
			return Entry{}, fmt.Errorf("%s on %s: %w", path.Join(in.Source.NixOS, "configuration.nix"), in.Name, err)
		}
		in.StateVersion = sv
	}
	e, err := Plan(in)
	if err != nil {
		return Entry{}, err
	}
	for i := range e.Files {
		f := &e.Files[i]
		if f.Name == DiskConfigFile {
			if f.Content, err = os.ReadFile(in.Repo.DiskConfig); err != nil {
				return Entry{}, fmt.Errorf("copy the disk layout into the host entry: %w", err)
			}
			continue
		}
		from := path.Join(in.Source.NixOS, f.Name)
		if f.Name == HostKeyFile {
			from = in.Source.HostKey
		}
		if f.Content, err = c.Output(ctx, "cat -- "+remote.ShellQuote(from)); err != nil {
			return Entry{}, fmt.Errorf("copy the host entry of %s: %w", in.Name, err)
		}
		if len(f.Content) == 0 {
			return Entry{}, fmt.Errorf("%s on %s is empty", from, in.Name)
		}
	}
	if err := checkHostKey(e, c); err != nil {
		return Entry{}, err
	}
	return e, nil
}

// checkHostKey makes sure the copied key parses and, when the connection
// was made with an ed25519 key, is the key the host showed.
func checkHostKey(e Entry, c *remote.Client) error {
	for _, f := range e.Files {
		if f.Name != HostKeyFile {
			continue
		}
		key, _, _, _, err := ssh.ParseAuthorizedKey(f.Content)
		if err != nil {
			return fmt.Errorf("the host key copied from %s is not an OpenSSH public key: %w", e.Host.Name, err)
		}
		if key.Type() != ssh.KeyAlgoED25519 {
			return fmt.Errorf("the host key copied from %s is %s, not ed25519", e.Host.Name, key.Type())
		}
		if shown := c.OtherHostKey(key); shown != nil {
			return fmt.Errorf("%s's %s (%s) is not the key it showed when we logged in (%s)", e.Host.Name, HostKeyFile, ssh.FingerprintSHA256(key), ssh.FingerprintSHA256(shown))
		}
	}
	return nil
}

// stateVersionLine is how nixos-infect's configuration.nix and ours set it.
var stateVersionLine = regexp.MustCompile(`(?m)^\s*system\.stateVersion\s*=\s*(?:lib\.mkDefault\s+)?"([^"]+)"\s*;`)

// stateVersion finds the system.stateVersion a NixOS configuration sets.
func stateVersion(conf []byte) (string, error) {
	m := stateVersionLine.FindSubmatch(conf)
	if m == nil {
		return "", fmt.Errorf("no line `system.stateVersion = \"…\";` found")
	}
	return string(m[1]), nil
}

func repoStateVersion(file string) (string, error) {
	conf, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read the configuration the host is installed with: %w", err)
	}
	sv, err := stateVersion(conf)
	if err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	return sv, nil
}
