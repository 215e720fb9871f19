package remote

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// preferredHostKeyAlgorithms is OpenSSH's order. x/crypto's default puts
// ECDSA before Ed25519: without this we would record a different key for a
// new host than the ssh run by nixos-anywhere looks for.
var preferredHostKeyAlgorithms = []string{
	ssh.KeyAlgoED25519,
	ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521,
	ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256,
}

// knownHostsMu makes check-then-append atomic within the process, so two
// first dials of one host add a single line.
var knownHostsMu sync.Mutex

// hostKeys verifies server keys against a known_hosts file and trusts a host
// it has no entry for, like ssh -o StrictHostKeyChecking=accept-new: a new
// droplet's key cannot be known in advance, a changed one must never pass.
type hostKeys struct {
	file string
	log  io.Writer
	seen ssh.PublicKey // the key the server offered, once the handshake got that far
}

// newHostKeys opens cfg's known_hosts file, creating it if it is missing, since
// knownhosts cannot read a file that does not exist.
func newHostKeys(cfg Config) (*hostKeys, error) {
	file, err := cfg.KnownHosts()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return nil, fmt.Errorf("create known_hosts directory: %w", err)
	}
	f, err := os.OpenFile(file, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create known_hosts: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("create known_hosts: %w", err)
	}
	return &hostKeys{file: file, log: cfg.log()}, nil
}

// algorithms lists the host key algorithms to negotiate with addr, those of
// the keys known_hosts holds for it first: a server with several host keys
// then shows the one we know instead of one we would take for a change.
func (h *hostKeys) algorithms(addr string) ([]string, error) {
	known, err := h.known(addr)
	if err != nil {
		return nil, err
	}
	var first, rest []string
	for _, algo := range preferredHostKeyAlgorithms {
		isKnown := slices.ContainsFunc(known, func(k knownhosts.KnownKey) bool {
			return k.Key.Type() == keyType(algo)
		})
		if isKnown {
			first = append(first, algo)
		} else {
			rest = append(rest, algo)
		}
	}
	return append(first, rest...), nil
}

// keyType is the type of the keys that sign with algo: RSA keys sign with
// SHA-2 algorithms named differently from the key.
func keyType(algo string) string {
	if algo == ssh.KeyAlgoRSASHA256 || algo == ssh.KeyAlgoRSASHA512 {
		return ssh.KeyAlgoRSA
	}
	return algo
}

// known lists the keys known_hosts holds for addr. knownhosts has no lookup,
// but checking a key that cannot be in the file reports them all.
func (h *hostKeys) known(addr string) ([]knownhosts.KnownKey, error) {
	check, err := knownhosts.New(h.file)
	if err != nil {
		return nil, fmt.Errorf("read known_hosts: %w", err)
	}
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate probe key: %w", err)
	}
	probe, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("generate probe key: %w", err)
	}
	var keyErr *knownhosts.KeyError
	if err := check(addr, &net.TCPAddr{}, probe); !errors.As(err, &keyErr) {
		return nil, fmt.Errorf("look up %s in known_hosts: %w", addr, err)
	}
	return keyErr.Want, nil
}

// check is the ssh.HostKeyCallback.
func (h *hostKeys) check(addr string, remote net.Addr, key ssh.PublicKey) error {
	h.seen = key
	knownHostsMu.Lock()
	defer knownHostsMu.Unlock()
	// Read the file afresh: another dial may have just added this host.
	check, err := knownhosts.New(h.file)
	if err != nil {
		return fmt.Errorf("read known_hosts: %w", err)
	}
	err = check(addr, remote, key)
	var keyErr *knownhosts.KeyError
	var revoked *knownhosts.RevokedError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &keyErr) && len(keyErr.Want) == 0:
		return h.trust(addr, key)
	case errors.As(err, &keyErr):
		return changed(addr, keyErr.Want, key)
	case errors.As(err, &revoked):
		return fmt.Errorf("the host key of %s is marked @revoked at %s:%d", knownhosts.Normalize(addr), revoked.Revoked.Filename, revoked.Revoked.Line)
	default:
		return fmt.Errorf("check the host key of %s: %w", addr, err)
	}
}

// trust appends key as addr's host key and says so, since the operator
// should be able to compare the fingerprint with the droplet's console.
func (h *hostKeys) trust(addr string, key ssh.PublicKey) error {
	if err := appendLine(h.file, knownhosts.Line([]string{addr}, key)); err != nil {
		return fmt.Errorf("record the host key of %s: %w", knownhosts.Normalize(addr), err)
	}
	fmt.Fprintf(h.log, "trusting new host key for %s: %s (added to %s)\n",
		knownhosts.Normalize(addr), ssh.FingerprintSHA256(key), h.file)
	return nil
}

// appendLine appends line to file, first ending the file's last line if it
// lacks a newline, which would otherwise join the two entries.
func appendLine(file, line string) (err error) {
	f, err := os.OpenFile(file, os.O_RDWR|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	defer func() {
		if closeErr := f.Close(); err == nil {
			err = closeErr
		}
	}()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if info.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, info.Size()-1); err != nil {
			return err
		}
		if last[0] != '\n' {
			line = "\n" + line
		}
	}
	_, err = f.WriteString(line + "\n")
	return err
}

// changed describes a key that differs from the known ones, naming the known
// key of the offered type when there is one: that is the key that changed.
func changed(addr string, want []knownhosts.KnownKey, got ssh.PublicKey) *HostKeyChangedError {
	known := want[0]
	for _, k := range want {
		if k.Key.Type() == got.Type() {
			known = k
			break
		}
	}
	return &HostKeyChangedError{
		Host:           knownhosts.Normalize(addr),
		Want:           ssh.FingerprintSHA256(known.Key),
		Got:            ssh.FingerprintSHA256(got),
		KnownHostsFile: known.Filename,
		Line:           known.Line,
	}
}

// fingerprint returns the SHA256 fingerprint of the key the server offered.
func (h *hostKeys) fingerprint() string {
	if h.seen == nil {
		return ""
	}
	return ssh.FingerprintSHA256(h.seen)
}

// KnowHostKey records key as host's host key in cfg's known_hosts file,
// unless the file already holds a key for host, and reports whether it
// did. Where a host's key is known from elsewhere (a host entry in the
// repository), this takes the place of trusting the first key shown; a
// key already recorded is left for Dial to verify.
func KnowHostKey(cfg Config, host string, key ssh.PublicKey) (bool, error) {
	h, err := newHostKeys(cfg)
	if err != nil {
		return false, err
	}
	addr := cfg.Addr(host)
	knownHostsMu.Lock()
	defer knownHostsMu.Unlock()
	known, err := h.known(addr)
	if err != nil || len(known) > 0 {
		return false, err
	}
	if err := appendLine(h.file, knownhosts.Line([]string{addr}, key)); err != nil {
		return false, fmt.Errorf("record the host key of %s: %w", knownhosts.Normalize(addr), err)
	}
	return true, nil
}
