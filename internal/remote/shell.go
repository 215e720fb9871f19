package remote

import "strings"

// shellSafe are the characters a shell word may hold unquoted; '#' only
// starts a comment at the beginning of a word.
const shellSafe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_#"

// ShellQuote makes s one word for the POSIX shell that runs remote commands,
// and for a command line an operator pastes, leaving plain words as they
// are. Names such as known_hosts' [1.2.3.4]:2222 are quoted, as they would
// be glob patterns otherwise.
func ShellQuote(s string) string {
	if s != "" && s[0] != '#' && strings.Trim(s, shellSafe) == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
