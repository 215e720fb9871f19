// Package hosts keeps the machines this repository runs as data: one folder
// per host under hosts/, holding only what differs from host to host. The
// flake turns each folder into nixosConfigurations.<name> and
// deploy.nodes.<name> (hosts/default.nix); the install routes write the
// folders; deploys read them.
package hosts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
)

// Dir is where the host folders live, relative to the repository root.
const Dir = "hosts"

// Generic is the flake's configuration for a droplet that is not a host
// yet (what nixos-anywhere installs); no host may take its name.
const Generic = "digitalocean"

// Route names how a host became NixOS, which decides the shared profile
// its configuration starts from and the files its folder holds.
type Route string

const (
	Anywhere Route = "anywhere" // nixos-anywhere: the disk was laid out by disko
	Infect   Route = "infect"   // nixos-infect: Debian's disk, nixos-infect's generated files
)

// The files of a host's folder. hosts/default.nix reads the same names.
const (
	MetaFile       = "host.json"
	HostKeyFile    = "ssh_host_ed25519_key.pub"
	DiskConfigFile = "disk-config.nix"
	HardwareFile   = "hardware-configuration.nix"
	NetworkingFile = "networking.nix"
)

// Files lists the files a folder of route r holds besides MetaFile.
func (r Route) Files() ([]string, error) {
	switch r {
	case Anywhere:
		return []string{HostKeyFile, DiskConfigFile}, nil
	case Infect:
		return []string{HostKeyFile, HardwareFile, NetworkingFile}, nil
	}
	return nil, fmt.Errorf("route %q is neither %q nor %q", r, Anywhere, Infect)
}

// Host is one host's host.json, and the folder it was read from.
type Host struct {
	Name         string `json:"-"`                // folder name, the droplet's name
	Hostname     string `json:"hostname"`         // networking.hostName: Name up to its first dot
	Domain       string `json:"domain,omitempty"` // networking.domain: the rest of Name, if any
	Route        Route  `json:"route"`
	Address      string `json:"address"`      // public IPv4 that deploys connect to
	StateVersion string `json:"stateVersion"` // system.stateVersion the host was installed with
}

// validLabel is a hostname label, what networking.hostName accepts.
var validLabel = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)

// validStateVersion is a NixOS release such as 25.11.
var validStateVersion = regexp.MustCompile(`^[0-9]{2}\.[0-9]{2}$`)

// New describes the host a droplet named name becomes: its hostname and
// domain are split from the name as `hostname -s` and `hostname -d` split
// the droplet's name on the droplet.
func New(name string, route Route, address, stateVersion string) (Host, error) {
	hostname, domain, _ := strings.Cut(name, ".")
	h := Host{Name: name, Hostname: hostname, Domain: domain, Route: route, Address: address, StateVersion: stateVersion}
	return h, h.check()
}

// CheckName checks a host's name, which is its droplet's: a host's folder
// carries its droplet's name.
func CheckName(name string) error {
	if !droplets.ValidName(name) {
		return fmt.Errorf("host name %q: use a droplet name (at most 255 letters, digits, dots and dashes, starting and ending with a letter or digit)", name)
	}
	return nil
}

// check says what is wrong with h, if anything.
func (h Host) check() error {
	if err := CheckName(h.Name); err != nil {
		return err
	}
	switch {
	case h.Name == Generic:
		return fmt.Errorf("host name %q is taken by the flake's generic configuration: rename the droplet", h.Name)
	case !validLabel.MatchString(h.Hostname):
		return fmt.Errorf("hostname %q is not a hostname label (letters, digits and dashes, at most 63)", h.Hostname)
	case h.Name != strings.Join(nonEmpty(h.Hostname, h.Domain), "."):
		return fmt.Errorf("hostname %q and domain %q do not make up the host name %q", h.Hostname, h.Domain, h.Name)
	case net.ParseIP(h.Address) == nil || net.ParseIP(h.Address).To4() == nil:
		return fmt.Errorf("address %q is not an IPv4 address", h.Address)
	case !validStateVersion.MatchString(h.StateVersion):
		return fmt.Errorf("stateVersion %q is not a NixOS release such as 25.11", h.StateVersion)
	}
	_, err := h.Route.Files()
	return err
}

func nonEmpty(s ...string) []string {
	return slices.DeleteFunc(s, func(x string) bool { return x == "" })
}

// Load reads every host folder under dir, sorted by name. A missing dir
// holds no hosts. A folder that is not a valid host entry is an error
// naming the file and what is wrong, since the flake would fail on it too.
func Load(dir string) ([]Host, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read host folders: %w", err)
	}
	var hosts []Host
	for _, e := range entries {
		// A name starting with a dot is a folder Write has yet to rename.
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		h, err := read(dir, e.Name())
		if err != nil {
			return nil, err
		}
		hosts = append(hosts, h)
	}
	return hosts, nil
}

// read reads and checks the folder dir/name.
func read(dir, name string) (Host, error) {
	folder := filepath.Join(dir, name)
	meta := filepath.Join(folder, MetaFile)
	data, err := os.ReadFile(meta)
	if err != nil {
		return Host{}, fmt.Errorf("host %s: %w; every folder under %s is a host and needs its %s", name, err, dir, MetaFile)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	h := Host{Name: name}
	if err := dec.Decode(&h); err != nil {
		return Host{}, fmt.Errorf("%s: %w", meta, err)
	}
	if err := h.check(); err != nil {
		return Host{}, fmt.Errorf("%s: %w", meta, err)
	}
	files, _ := h.Route.Files()
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(folder, f)); err != nil {
			return Host{}, fmt.Errorf("host %s (route %s) lacks %s: %w", name, h.Route, f, err)
		}
	}
	if _, err := h.HostKey(dir); err != nil {
		return Host{}, err
	}
	return h, nil
}

// HostKey returns the host's public SSH key as its folder under dir records it.
func (h Host) HostKey(dir string) (ssh.PublicKey, error) {
	path := filepath.Join(dir, h.Name, HostKeyFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("host %s: %w", h.Name, err)
	}
	key, _, _, _, err := ssh.ParseAuthorizedKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s is not an OpenSSH public key: %w", path, err)
	}
	return key, nil
}

// UnknownError is a name that no folder under Dir has.
type UnknownError struct {
	Name  string
	Known []string // the hosts there are
}

func (e *UnknownError) Error() string {
	if len(e.Known) == 0 {
		return fmt.Sprintf("%q is not a host: there are no hosts yet", e.Name)
	}
	return fmt.Sprintf("%q is not a host (hosts: %s)", e.Name, strings.Join(e.Known, ", "))
}

// Select returns the hosts named, in the order named, or every host when
// names is empty. A name that is no host is an *UnknownError.
func Select(all []Host, names []string) ([]Host, error) {
	if len(names) == 0 {
		return all, nil
	}
	known := make([]string, len(all))
	for i, h := range all {
		known[i] = h.Name
	}
	var out []Host
	for _, n := range names {
		i := slices.Index(known, n)
		if i < 0 {
			return nil, &UnknownError{Name: n, Known: known}
		}
		if !slices.ContainsFunc(out, func(h Host) bool { return h.Name == n }) {
			out = append(out, all[i])
		}
	}
	return out, nil
}

// Untracked lists the hosts of hs whose host.json git does not know in
// dir's repository: the flake cannot see them. It lists none when dir is
// not in a git work tree (or git is missing), where the flake reads every
// file.
func Untracked(dir string, hs []Host) []string {
	out, err := exec.Command("git", "-C", dir, "ls-files", "-z", "--cached", "--", ".").Output()
	if err != nil {
		return nil
	}
	known := map[string]bool{}
	for _, f := range strings.Split(string(out), "\x00") {
		known[filepath.ToSlash(f)] = true
	}
	var missing []string
	for _, h := range hs {
		if !known[h.Name+"/"+MetaFile] {
			missing = append(missing, h.Name)
		}
	}
	return missing
}
