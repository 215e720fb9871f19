package sshtest

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// StartAgent serves an in-process ssh-agent holding the key in keyFile on a
// unix socket until the test ends, and returns the socket's path, for
// SSH_AUTH_SOCK.
func StartAgent(t testing.TB, keyFile string) string {
	t.Helper()
	data, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatalf("read agent key: %v", err)
	}
	key, err := ssh.ParseRawPrivateKey(data)
	if err != nil {
		t.Fatalf("parse agent key %s: %v", keyFile, err)
	}
	keyring := agent.NewKeyring()
	if err := keyring.Add(agent.AddedKey{PrivateKey: key}); err != nil {
		t.Fatalf("add agent key: %v", err)
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatalf("listen for agent clients: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				agent.ServeAgent(keyring, conn)
			}()
		}
	}()
	return sock
}
