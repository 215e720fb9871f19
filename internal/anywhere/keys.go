package anywhere

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

// DefaultAuthorizedKeys is the one authorized-keys file the NixOS
// configuration installs for root (nixos-anywhere/configuration.nix).
const DefaultAuthorizedKeys = "digitalocean/authorized_keys"

// defaultKeyNames are the key files under ~/.ssh that remote.Dial offers
// beside the agent's keys when cfg names no identity, in its order.
var defaultKeyNames = []string{"id_ed25519", "id_ecdsa", "id_rsa"}

// CheckAuthorizedKeys makes sure the reinstalled system will let the
// operator in: root's only keys will be those in path, so path must hold a
// key, and one of those cfg logs in with.
func CheckAuthorizedKeys(path string, cfg remote.Config) verify.Check {
	if path == "" {
		path = DefaultAuthorizedKeys
	}
	listed, err := readAuthorizedKeys(path)
	if err != nil {
		return verify.Fail("keys", err)
	}
	if len(listed) == 0 {
		return verify.Fail("keys", fmt.Errorf("%s holds no key, so the installed NixOS would accept no login; add your public key to it, e.g. `ssh-add -L >> %s`", path, path))
	}
	offered, source, err := loginKeys(cfg)
	if err != nil {
		return verify.Fail("keys", err)
	}
	for _, k := range offered {
		if listed[string(k.Marshal())] {
			return verify.Pass("keys", fmt.Sprintf("%s holds %d key(s), including %s", path, len(listed), source))
		}
	}
	if len(offered) == 1 {
		line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(offered[0])))
		return verify.Fail("keys", fmt.Errorf("%s lacks %s, so root would refuse you after the reinstall; add this line to it: %s", path, source, line))
	}
	return verify.Fail("keys", fmt.Errorf("%s lacks every one of %s, so root would refuse you after the reinstall; add one, e.g. `ssh-add -L >> %s`", path, source, path))
}

// readAuthorizedKeys returns the keys of an authorized_keys file, by their
// wire form.
func readAuthorizedKeys(path string) (map[string]bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the keys NixOS will install for root: %w", err)
	}
	keys := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
		if err != nil {
			return nil, fmt.Errorf("%s:%d is not a public key (%v); fix or remove that line", path, n, err)
		}
		keys[string(key.Marshal())] = true
	}
	return keys, sc.Err()
}

// loginKeys returns the public keys remote.Dial offers with cfg, and a
// description of where they come from.
func loginKeys(cfg remote.Config) ([]ssh.PublicKey, string, error) {
	if id := cfg.Identity(); id != "" {
		key, err := publicKeyOf(id)
		if err != nil {
			return nil, "", err
		}
		return []ssh.PublicKey{key}, "the key of " + id, nil
	}
	var keys []ssh.PublicKey
	var sources []string
	if sock := os.Getenv("SSH_AUTH_SOCK"); sock != "" {
		if conn, err := net.Dial("unix", sock); err == nil {
			agentKeys, _ := agent.NewClient(conn).List()
			conn.Close()
			for _, k := range agentKeys {
				keys = append(keys, k)
			}
			if len(agentKeys) > 0 {
				sources = append(sources, "the ssh-agent keys")
			}
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		for _, name := range defaultKeyNames {
			path := filepath.Join(home, ".ssh", name)
			if key, err := publicKeyOf(path); err == nil {
				keys = append(keys, key)
				sources = append(sources, path)
			}
		}
	}
	if len(keys) == 0 {
		return nil, "", errors.New("no ssh key to compare with: load one into ssh-agent (ssh-add) or set SSH_IDENTITY")
	}
	return keys, strings.Join(sources, " and "), nil
}

// publicKeyOf reads the public half of the private key at path: from the key
// itself, or from path.pub when the key is passphrase-protected in a format
// that hides it.
func publicKeyOf(path string) (ssh.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) {
			err = pathErr.Err // the message names the path already
		}
		return nil, fmt.Errorf("identity file %s is unreadable: %w", path, err)
	}
	signer, err := ssh.ParsePrivateKey(data)
	if err == nil {
		return signer.PublicKey(), nil
	}
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) && missing.PublicKey != nil {
		return missing.PublicKey, nil
	}
	pub, pubErr := os.ReadFile(path + ".pub")
	if pubErr != nil {
		return nil, fmt.Errorf("identity file %s: %w, and there is no %s.pub", path, err, path)
	}
	key, _, _, _, err := ssh.ParseAuthorizedKey(pub)
	if err != nil {
		return nil, fmt.Errorf("%s.pub is not a public key: %w", path, err)
	}
	return key, nil
}
