package sshtest

import (
	"os"
	"strconv"
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

// WaitOrphaned waits until process pid's parent is no longer parent.
func WaitOrphaned(t testing.TB, pid, parent int) {
	t.Helper()
	Eventually(t, "the process to lose its parent", func() bool { return ParentOf(pid) != parent })
}

// ParentOf returns the parent of process pid, 0 once it is gone.
func ParentOf(pid int) int {
	_, parent, _ := procStat(strconv.Itoa(pid))
	return parent
}
