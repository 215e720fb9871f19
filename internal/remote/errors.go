package remote

import (
	"fmt"
	"strings"
)

// ExitError reports a remote command that ran and exited non-zero.
type ExitError struct {
	Cmd    string
	Status int    // exit status; 128+N when the command was killed by signal N
	Stderr string // the command's stderr (its last 64 KiB when it wrote more)
}

func (e *ExitError) Error() string {
	msg := fmt.Sprintf("remote command %q exited %d", e.Cmd, e.Status)
	if line := lastLine(e.Stderr); line != "" {
		msg += ": " + line
	}
	return msg
}

// lastLine returns the last non-blank line of s: the one that usually says
// what went wrong, short enough for a one-line error.
func lastLine(s string) string {
	s = strings.TrimRight(s, " \t\r\n")
	return strings.TrimSpace(s[strings.LastIndexByte(s, '\n')+1:])
}

// HostKeyChangedError reports a server whose host key differs from the one
// known_hosts holds for it. Dial never accepts such a key.
type HostKeyChangedError struct {
	Host           string // as known_hosts names it: "1.2.3.4", or "[1.2.3.4]:2222" off port 22
	Want, Got      string // SHA256 fingerprints: the known key, the key the server offered
	KnownHostsFile string
	Line           int // line of KnownHostsFile that holds Want
}

func (e *HostKeyChangedError) Error() string {
	return fmt.Sprintf("the host key of %s changed (known_hosts %s:%d has %s, server offered %s); "+
		"expected after a reinstall that did not keep host keys, otherwise a possible attack; "+
		"if you reinstalled it, remove the old entry with `ssh-keygen -R %s -f %s` and retry",
		e.Host, e.KnownHostsFile, e.Line, e.Want, e.Got, ShellQuote(e.Host), ShellQuote(e.KnownHostsFile))
}

// AuthError reports a server that refused every key Dial offered.
type AuthError struct {
	User, Host string   // Host includes ":port" off port 22
	Identities []string // what was offered: key file paths, or AgentIdentity
	Err        error
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("%s@%s refused %s: add its public key to the droplet",
		e.User, e.Host, describeIdentities(e.Identities))
}

func (e *AuthError) Unwrap() error { return e.Err }

// describeIdentities names the offered keys the way an operator would look
// for them: "key ~/.ssh/id_ed25519", "the ssh-agent keys and key ...".
func describeIdentities(ids []string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		if id == AgentIdentity {
			parts[i] = "the ssh-agent keys"
		} else {
			parts[i] = "key " + id
		}
	}
	return strings.Join(parts, " and ")
}
