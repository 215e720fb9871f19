package sshtest

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// HangLimit is how long tests wait for an event that should come: far
// beyond the time it takes, so that only a hang fails a test, never a slow
// or busy machine. How fast things happen is for benchmarks.
const HangLimit = 30 * time.Second

// WaitGone waits until process pid has exited, failing the test if it
// hangs on. A zombie counts as gone: its parent may be no process that
// reaps it, such as a test whose command's group was killed.
func WaitGone(t testing.TB, pid int) {
	t.Helper()
	Eventually(t, fmt.Sprintf("process %d to exit", pid), func() bool {
		state, _, ok := procStat(strconv.Itoa(pid))
		return !ok || state == "Z"
	})
}

// Await returns the value ch delivers, failing the test when none comes
// within HangLimit; what names what was awaited.
func Await[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(HangLimit):
		t.Fatalf("waited %s for %s", HangLimit, what)
		var none T
		return none
	}
}

// Eventually polls cond until it holds, failing the test after HangLimit;
// what names what was awaited.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(HangLimit); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", HangLimit, what)
		}
	}
}

// descendants lists the processes below pid, parents before their children,
// by reading the parent of every process in /proc. sshd serves each
// connection from processes of their own session, so killing sshd alone
// would leave its connections, and the commands they run, alive.
func descendants(pid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	children := map[int][]int{}
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		_, parent, ok := procStat(e.Name())
		if !ok {
			continue // the process exited meanwhile
		}
		children[parent] = append(children[parent], child)
	}
	var found []int
	for queue := []int{pid}; len(queue) > 0; queue = queue[1:] {
		for _, child := range children[queue[0]] {
			found = append(found, child)
			queue = append(queue, child)
		}
	}
	return found
}

// processesWithEnv lists the processes whose environment holds entry
// ("NAME=value"), among those this process may read the environment of.
func processesWithEnv(entry string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	want := []byte(entry + "\x00")
	var found []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err == nil && (bytes.HasPrefix(env, want) || bytes.Contains(env, append([]byte{0}, want...))) {
			found = append(found, pid)
		}
	}
	return found
}

// procStat reads the state and parent of process pid from /proc; ok is
// false once the process is gone.
func procStat(pid string) (state string, parent int, ok bool) {
	stat, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return "", 0, false
	}
	// The command name may hold spaces and parentheses; the fields after
	// its closing parenthesis are state, then parent pid.
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(fields) < 2 {
		return "", 0, false
	}
	parent, err = strconv.Atoi(fields[1])
	if err != nil {
		return "", 0, false
	}
	return fields[0], parent, true
}
