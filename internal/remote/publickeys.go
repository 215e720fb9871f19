package remote

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// PublicKeys returns the public keys a login with cfg offers, and the
// identities they come from, named as in AuthError.Identities: the identity
// file alone when cfg names one, otherwise the ssh-agent's keys and the
// default key files. Unlike Dial it needs only public halves, so a
// passphrase-protected key file counts, as it does for OpenSSH, which asks
// for the passphrase. An agent or default key file that yields no key is
// left out, so finding none is no error; an identity file without a public
// key is.
func (cfg Config) PublicKeys() ([]ssh.PublicKey, []string, error) {
	if id := cfg.Identity(); id != "" {
		key, err := publicKey(id)
		if err != nil {
			return nil, nil, err
		}
		return []ssh.PublicKey{key}, []string{id}, nil
	}
	var keys []ssh.PublicKey
	var identities []string
	if _, conn, err := dialAgent(); err == nil {
		listed, _ := agent.NewClient(conn).List()
		conn.Close()
		for _, k := range listed {
			keys = append(keys, k)
		}
		if len(listed) > 0 {
			identities = append(identities, AgentIdentity)
		}
	}
	if paths, err := defaultIdentityFiles(); err == nil {
		for _, path := range paths {
			if key, err := publicKey(path); err == nil {
				keys = append(keys, key)
				identities = append(identities, path)
			}
		}
	}
	return keys, identities, nil
}

// publicKey reads the public half of the private key at path: from the key
// itself, or from path.pub when the key is passphrase-protected in a format
// that hides it.
func publicKey(path string) (ssh.PublicKey, error) {
	data, err := readKeyFile(path)
	if err != nil {
		return nil, err
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
