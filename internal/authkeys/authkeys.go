// Package authkeys reads the authorized_keys file that every route to NixOS
// installs for root, so each route refuses the same mistakes in it before
// touching a droplet.
package authkeys

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"
)

// File holds the OpenSSH public keys every route lets log in as root,
// relative to the repository root: the NixOS configuration installs it, and
// nixos-infect's user data carries it.
const File = "digitalocean/authorized_keys"

// Key is one key line of an authorized_keys file.
type Key struct {
	Line   string // as written, options and comment included
	Public ssh.PublicKey
}

// Keys are the keys of an authorized_keys file, in its order.
type Keys []Key

// Read returns the keys of the OpenSSH authorized_keys file at path,
// skipping blank and comment lines. A line that is no key is an error
// naming its line number, and so is a file without a key: a droplet that
// nobody can log in to after the switch is lost.
func Read(path string) (Keys, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read authorized keys: %w; put the OpenSSH public keys that may log in as root in %s, one a line", err, path)
	}
	var keys Keys
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %.40q is not an OpenSSH public key (%w); write one key a line, as in ~/.ssh/id_ed25519.pub", path, n, line, err)
		}
		keys = append(keys, Key{Line: line, Public: pub})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read authorized keys %s: %w", path, err)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s has no key, so the installed NixOS would accept no login: add the OpenSSH public keys that may log in as root, one a line, e.g. `ssh-add -L >> %s`", path, path)
	}
	return keys, nil
}

// Lines returns the keys' lines as written.
func (ks Keys) Lines() []string {
	lines := make([]string, len(ks))
	for i, k := range ks {
		lines[i] = k.Line
	}
	return lines
}

// Contains reports whether pub is one of the keys, whatever the options and
// comment of its line.
func (ks Keys) Contains(pub ssh.PublicKey) bool {
	want := pub.Marshal()
	for _, k := range ks {
		if bytes.Equal(k.Public.Marshal(), want) {
			return true
		}
	}
	return false
}
