package remote

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// AgentIdentity stands for the ssh-agent keys among the identities that
// AuthError and PublicKeys name, beside key file paths.
const AgentIdentity = "ssh-agent"

// defaultIdentityNames are the key files under ~/.ssh that Dial offers when
// no identity is configured, in OpenSSH's order.
var defaultIdentityNames = []string{"id_ed25519", "id_ecdsa", "id_rsa"}

// defaultIdentityFiles are the paths of the default key files.
func defaultIdentityFiles() ([]string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return nil, err
	}
	paths := make([]string, len(defaultIdentityNames))
	for i, name := range defaultIdentityNames {
		paths[i] = filepath.Join(home, ".ssh", name)
	}
	return paths, nil
}

// credentials are the keys Dial offers and the names AuthError reports them by.
type credentials struct {
	signers    []ssh.Signer
	identities []string
	agent      io.Closer // kept open until the handshake is over: the agent signs during it
}

// authMethods offers every key under a single method: x/crypto tries each
// method name once, so a second "publickey" method would never run.
func (c *credentials) authMethods() []ssh.AuthMethod {
	return []ssh.AuthMethod{ssh.PublicKeys(c.signers...)}
}

func (c *credentials) close() {
	if c.agent != nil {
		c.agent.Close()
	}
}

// loadCredentials gathers the keys cfg calls for: the identity file alone
// when one is set, otherwise the agent's keys and the default key files.
func loadCredentials(cfg Config) (*credentials, error) {
	if cfg.IdentityFile != "" {
		path, err := expandHome(cfg.IdentityFile)
		if err != nil {
			return nil, err
		}
		signer, err := readKey(path)
		if isEncrypted(err) {
			return nil, fmt.Errorf("identity file %s is passphrase-protected; load it into ssh-agent (ssh-add %s) and leave the identity unset",
				path, ShellQuote(path))
		}
		if err != nil {
			return nil, err
		}
		return &credentials{signers: []ssh.Signer{signer}, identities: []string{path}}, nil
	}

	creds := &credentials{}
	// problems say, should no key turn up, why each source gave none.
	var problems []string
	if err := creds.addAgent(); err != nil {
		problems = append(problems, err.Error())
	}
	problems = append(problems, creds.addDefaultKeys()...)
	if len(creds.signers) == 0 {
		creds.close()
		return nil, &NoKeyError{Tried: problems}
	}
	return creds, nil
}

// NoKeyError says that no identity file was set and neither ssh-agent nor
// the default key files under ~/.ssh gave a key to log in with.
type NoKeyError struct {
	Tried []string // why each source gave none
}

func (e *NoKeyError) Error() string {
	return "no ssh key to offer: " + strings.Join(e.Tried, "; ") + "; set an identity file, or load a key into ssh-agent with ssh-add"
}

// addAgent adds the keys of the agent at SSH_AUTH_SOCK, or says why there are none.
func (c *credentials) addAgent() error {
	sock, conn, err := dialAgent()
	if err != nil {
		return err
	}
	signers, err := agent.NewClient(conn).Signers()
	if err != nil {
		conn.Close()
		return fmt.Errorf("ssh-agent at %s did not list its keys: %w", sock, err)
	}
	if len(signers) == 0 {
		conn.Close()
		return fmt.Errorf("ssh-agent at %s holds no keys", sock)
	}
	c.agent = conn
	c.signers = append(c.signers, signers...)
	c.identities = append(c.identities, AgentIdentity)
	return nil
}

// dialAgent connects to the ssh-agent at SSH_AUTH_SOCK, or says why it cannot.
func dialAgent() (sock string, conn net.Conn, err error) {
	sock = os.Getenv("SSH_AUTH_SOCK")
	if sock == "" {
		return "", nil, errors.New("SSH_AUTH_SOCK is not set")
	}
	conn, err = net.Dial("unix", sock)
	if err != nil {
		return "", nil, fmt.Errorf("ssh-agent is unreachable: %w", err)
	}
	return sock, conn, nil
}

// addDefaultKeys adds the default key files that exist and are usable, and
// says what is wrong with the others.
func (c *credentials) addDefaultKeys() (problems []string) {
	paths, err := defaultIdentityFiles()
	if err != nil {
		return []string{fmt.Sprintf("no home directory to find ~/.ssh keys in (%v)", err)}
	}
	var missing []string
	for _, path := range paths {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			missing = append(missing, path)
			continue
		}
		signer, err := readKey(path)
		if isEncrypted(err) {
			problems = append(problems, fmt.Sprintf("%s is passphrase-protected (load it with ssh-add)", path))
			continue
		}
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		// The agent usually holds the same key: offering it twice would
		// spend one of the server's few allowed attempts (MaxAuthTries).
		if !slices.ContainsFunc(c.signers, func(s ssh.Signer) bool {
			return bytes.Equal(s.PublicKey().Marshal(), signer.PublicKey().Marshal())
		}) {
			c.signers = append(c.signers, signer)
		}
		c.identities = append(c.identities, path)
	}
	if len(missing) > 0 {
		problems = append(problems, "no key file at "+strings.Join(missing, ", "))
	}
	return problems
}

// CheckKeys reports early whether Dial will have a key to offer, so a
// target can refuse before it creates anything: the identity file when one
// is set (a private key Dial can use), else at least one key of ssh-agent
// or the default key files (a *NoKeyError when there is none). Whether the
// server accepts the key only the login tells.
func (cfg Config) CheckKeys() error {
	if cfg.IdentityFile != "" {
		_, err := readKey(cfg.Identity())
		if isEncrypted(err) {
			return fmt.Errorf("identity file %s is passphrase-protected; load it with ssh-add", cfg.Identity())
		}
		return err
	}
	creds, err := loadCredentials(cfg)
	if err != nil {
		return err
	}
	creds.close()
	return nil
}

// LoginKeys returns the public halves of the keys Dial offers, and the
// identities they come from, named as in AuthError.Identities: the keys a
// droplet must let in for this tool to log in to it. Unlike PublicKeys it
// leaves out a passphrase-protected key file, which Dial cannot use (such
// a key counts once it is in ssh-agent); none is a *NoKeyError.
func (cfg Config) LoginKeys() ([]ssh.PublicKey, []string, error) {
	creds, err := loadCredentials(cfg)
	if err != nil {
		return nil, nil, err
	}
	defer creds.close()
	keys := make([]ssh.PublicKey, len(creds.signers))
	for i, s := range creds.signers {
		keys[i] = s.PublicKey()
	}
	return keys, creds.identities, nil
}

// readKey loads a private key. It fails for an encrypted one, as Dial cannot
// prompt for a passphrase: such a key has to come through the agent.
func readKey(path string) (ssh.Signer, error) {
	data, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	signer, err := ssh.ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("identity file %s is not a usable ssh private key: %w", path, err)
	}
	return signer, nil
}

// readKeyFile reads the key file at path.
func readKeyFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		// A PathError would repeat the path this message already names.
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) {
			err = pathErr.Err
		}
		return nil, fmt.Errorf("identity file %s is unreadable: %w", path, err)
	}
	return data, nil
}

func isEncrypted(err error) bool {
	var missing *ssh.PassphraseMissingError
	return errors.As(err, &missing)
}
