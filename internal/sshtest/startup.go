package sshtest

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// startupScript stands in for slow startup files; see Options.SlowShell.
// %[1]s is the lock, %[2]s the file whose presence holds startups, %[3]s
// the seconds to sleep.
const startupScript = `lock=%[1]s
until mkdir "$lock" 2>/dev/null; do
	[ -d "${lock%%/*}" ] || exit 98 # the server is gone
	holder=$(cat "$lock/pid" 2>/dev/null)
	# Gone, or a zombie nobody reaps yet: the holder died while starting.
	if [ -n "$holder" ] && { ! kill -0 "$holder" 2>/dev/null || [ "$(cut -d' ' -f3 "/proc/$holder/stat" 2>/dev/null)" = Z ]; }; then
		echo "sshtest: shell $holder was killed while starting and left $lock behind" >&2
		exit 99
	fi
	sleep 0.02
done
echo $$ >"$lock/pid"
sleep %[3]s
while [ -e %[2]s ]; do sleep 0.02; done
echo "sshtest: startup files read" >&2
rm -r "$lock"
eval "$SSH_ORIGINAL_COMMAND"
`

func (s *Server) writeStartup(t testing.TB) {
	t.Helper()
	script := fmt.Sprintf(startupScript, s.path("startup.lock"), s.path("startup.hold"),
		strconv.FormatFloat(s.opts.ShellStartup.Seconds(), 'f', 3, 64))
	WriteFile(t, s.path("startup.sh"), script)
}

// HoldStartups keeps every slow shell (Options.SlowShell) that starts from
// now on starting until ReleaseStartups.
func (s *Server) HoldStartups(t testing.TB) {
	t.Helper()
	WriteFile(t, s.path("startup.hold"), "")
}

// ReleaseStartups lets held shells finish starting.
func (s *Server) ReleaseStartups(t testing.TB) {
	t.Helper()
	if err := os.Remove(s.path("startup.hold")); err != nil {
		t.Fatal(err)
	}
}

// Starting returns the pid of the slow shell that is starting now, 0 if none is.
func (s *Server) Starting() int {
	pid, _ := s.startupLock()
	return pid
}

// WaitStarting waits until a slow shell is starting and returns its pid.
func (s *Server) WaitStarting(t testing.TB) int {
	t.Helper()
	var pid int
	Eventually(t, "a shell to start", func() bool { pid = s.Starting(); return pid != 0 })
	return pid
}

// startupLock returns who holds the startup lock and whether that shell
// still runs; 0 when the lock is free or just being taken.
func (s *Server) startupLock() (pid int, alive bool) {
	data, err := os.ReadFile(s.path("startup.lock/pid"))
	if err != nil {
		return 0, false
	}
	pid, err = strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return 0, false
	}
	state, _, ok := procStat(strconv.Itoa(pid))
	return pid, ok && state != "Z"
}

// checkStartupLock fails the test if a shell was killed while starting.
func (s *Server) checkStartupLock(t testing.TB) {
	t.Helper()
	if pid, alive := s.startupLock(); pid != 0 && !alive {
		t.Errorf("sshd's shell %d was killed while starting and left its startup lock behind", pid)
	}
}
