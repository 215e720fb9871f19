package app

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
)

// simKeys are the operator's login keys (those of identity, "" = ssh-agent
// and ~/.ssh/id_*) as authorized_keys lines, for a simulated account: the
// first as the key the settings from the seed name (dosim.Options.SeedKey),
// so that the droplets made there let the operator in, as their own
// account's would. A simulated account without them has only keys nobody
// holds, and create refuses to make droplets there.
func simKeys(identity string) (lines []string, err error) {
	keys, _, err := remote.Config{IdentityFile: identity}.LoginKeys()
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		lines = append(lines, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k)))+" operator")
	}
	return lines, nil
}

// addSimKeys puts the keys after the first (the seed key) on sim's account.
func addSimKeys(sim *dosim.Server, lines []string) error {
	for i, l := range lines[1:] {
		if _, err := sim.AddKey(fmt.Sprintf("operator %d", i+2), l); err != nil {
			return fmt.Errorf("put key %d on the simulated account: %w", i+2, err)
		}
	}
	return nil
}

// throwawayKey writes a new private key into a new directory, for a demo
// on a machine with no key of its own; remove the directory after.
func throwawayKey() (path string, err error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	block, err := ssh.MarshalPrivateKey(priv, "demo")
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "nixos-systems-demo-")
	if err != nil {
		return "", err
	}
	path = filepath.Join(dir, "id_ed25519")
	return path, os.WriteFile(path, pem.EncodeToMemory(block), 0o600)
}
