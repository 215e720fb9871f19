package sshtest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
)

// NewKeyFile writes a fresh ed25519 key in OpenSSH format to path, mode 0600
// (sshd and ssh both refuse laxer modes), creating its directory with mode
// 0700 as ~/.ssh has, and returns the key.
func NewKeyFile(t testing.TB, path string) ed25519.PrivateKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatalf("marshal key: %v", err)
	}
	writeKeyFile(t, path, pem.EncodeToMemory(block))
	return priv
}

// NewPublicKey is the public half of a fresh ed25519 key whose private
// half is thrown away: a key nobody holds.
func NewPublicKey(t testing.TB) ssh.PublicKey {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatalf("convert key: %v", err)
	}
	return k
}

// encryptedKey is a passphrase-protected key in PEM form, made once: its
// key derivation is slow, the more so under the race detector.
var encryptedKey = sync.OnceValues(func() ([]byte, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte("secret"))
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(block), nil
})

// WriteEncryptedKey writes an ed25519 key protected by the passphrase
// "secret" to path, as NewKeyFile does. Every call writes the same key.
func WriteEncryptedKey(t testing.TB, path string) {
	t.Helper()
	key, err := encryptedKey()
	if err != nil {
		t.Fatalf("make encrypted key: %v", err)
	}
	writeKeyFile(t, path, key)
}

func writeKeyFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatalf("create key directory: %v", err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatalf("write key: %v", err)
	}
}

// AuthorizedKey is the authorized_keys line, without a newline, of the
// private key file at path. A passphrase-protected key in OpenSSH format
// shows its public half without the passphrase.
func AuthorizedKey(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read key: %v", err)
	}
	var pub ssh.PublicKey
	signer, err := ssh.ParsePrivateKey(data)
	var encrypted *ssh.PassphraseMissingError
	switch {
	case err == nil:
		pub = signer.PublicKey()
	case errors.As(err, &encrypted) && encrypted.PublicKey != nil:
		pub = encrypted.PublicKey
	default:
		t.Fatalf("parse key %s: %v", path, err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
}

// writeKey writes a fresh key to path, as NewKeyFile does, and returns its
// public half.
func writeKey(t testing.TB, path string) ssh.PublicKey {
	t.Helper()
	pub, err := ssh.NewPublicKey(NewKeyFile(t, path).Public())
	if err != nil {
		t.Fatalf("convert key: %v", err)
	}
	return pub
}
