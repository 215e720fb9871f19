// Package prompt asks the operator before something irreversible.
package prompt

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// YesNo writes question with a [y/N] suffix to out and reports whether the
// line read from in says yes. No input (nil, EOF, a closed stdin in CI) is a no.
func YesNo(in io.Reader, out io.Writer, question string) bool {
	if in == nil {
		return false
	}
	if out != nil {
		fmt.Fprintf(out, "%s [y/N] ", question)
	}
	answer, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && out != nil {
		// No line came (stdin closed): end the question's line so what follows starts its own.
		fmt.Fprintln(out)
	}
	answer = strings.ToLower(strings.TrimSpace(answer))
	return answer == "y" || answer == "yes"
}
