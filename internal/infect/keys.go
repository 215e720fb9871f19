package infect

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"
)

// KeysFile holds the public keys every route to NixOS lets log in as root,
// relative to the repository root.
const KeysFile = "digitalocean/authorized_keys"

// ReadAuthorizedKeys returns the keys of an OpenSSH authorized_keys file,
// one line each, without blank and comment lines. A file without a key is
// an error: a droplet nobody can log in to after the switch is lost.
func ReadAuthorizedKeys(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read authorized keys: %w; put the OpenSSH public keys that may log in as root in %s, one a line", err, path)
	}
	var keys []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if _, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line)); err != nil {
			return nil, fmt.Errorf("%s:%d: %.40q is not an OpenSSH public key (%w); write one key a line, as in ~/.ssh/id_ed25519.pub", path, n, line, err)
		}
		keys = append(keys, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read authorized keys %s: %w", path, err)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s has no key: add the OpenSSH public keys that may log in as root (e.g. ~/.ssh/id_ed25519.pub), one a line", path)
	}
	return keys, nil
}
