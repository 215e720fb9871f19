package sshtest

import (
	"bytes"
	"os"
	"strconv"
	"strings"
)

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
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // the process exited meanwhile
		}
		// The command name may hold spaces and parentheses; the fields after
		// its closing parenthesis are state, then parent pid.
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) < 2 {
			continue
		}
		parent, err := strconv.Atoi(fields[1])
		if err != nil {
			continue
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
