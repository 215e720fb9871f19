package sshtest

import (
	"os"
	"testing"
)

// Home is the directory sessions get as HOME.
func (s *Server) Home() string { return s.path("home") }

// ClearStartupLock removes what a slow shell cut on purpose left behind,
// which would otherwise fail the test when it ends.
func (s *Server) ClearStartupLock(t testing.TB) {
	t.Helper()
	if err := os.RemoveAll(s.path("startup.lock")); err != nil {
		t.Fatal(err)
	}
}
