package runner

import (
	"strings"

	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
)

// CommandLine is argv as a shell command line, for the operator to read or
// paste: what -dryrun prints and what progress says is running.
func CommandLine(argv []string) string {
	words := make([]string, len(argv))
	for i, a := range argv {
		words[i] = remote.ShellQuote(a)
	}
	return strings.Join(words, " ")
}
