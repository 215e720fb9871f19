// Package verifytest holds what tests of checks over SSH share: a login to a
// test sshd, and a report's outcome by check name. It lives apart from
// internal/sshtest, which must not import internal/remote.
package verifytest

import (
	"bytes"
	"testing"

	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

// Config logs in to s as its user with its client key, trusting its current
// host key.
func Config(t testing.TB, s *sshtest.Server) remote.Config {
	return remote.Config{
		User: s.User, Port: s.Port, IdentityFile: s.ClientKeyFile,
		KnownHostsFile: s.KnownHostsFile(t), Log: &bytes.Buffer{},
	}
}

// Statuses sums up a report as name → status.
func Statuses(rep verify.Report) map[string]verify.Status {
	m := map[string]verify.Status{}
	for _, c := range rep.Checks {
		m[c.Name] = c.Status
	}
	return m
}

// Detail is the detail of the check called name; "" when there is none.
func Detail(rep verify.Report, name string) string {
	for _, c := range rep.Checks {
		if c.Name == name {
			return c.Detail
		}
	}
	return ""
}

// Err is the error of the check called name; nil when there is none.
func Err(rep verify.Report, name string) error {
	for _, c := range rep.Checks {
		if c.Name == name {
			return c.Err
		}
	}
	return nil
}
