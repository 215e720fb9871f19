package verify

import (
	"errors"
	"fmt"
	"testing"
)

func TestReportErr(t *testing.T) {
	cause := errors.New("ID=debian is not NixOS")
	rep := Report{Subject: "verify 203.0.113.7"}
	rep.Add(Pass("ssh", "203.0.113.7:22 answers after 3s"))
	rep.Add(Fail("nixos", cause))
	rep.Add(Warn("memory", errors.New("980 MB")))
	rep.Add(Fail("ipv4", errors.New("203.0.113.9 is not configured")))

	err := rep.Err()
	if want := "verify 203.0.113.7 failed: nixos: ID=debian is not NixOS; ipv4: 203.0.113.9 is not configured"; err == nil || err.Error() != want {
		t.Errorf("Err() = %v\nwant     %s", err, want)
	}
	if !errors.Is(err, cause) {
		t.Errorf("Err() does not wrap the failed check's error")
	}
	rep.Checks = rep.Checks[:1]
	if err := rep.Err(); err != nil {
		t.Errorf("Err() of a passing report = %v", err)
	}
}

// A report with Explain explains each failed check's error as it is added,
// and the report's error carries the explanation.
func TestReportExplainsChecks(t *testing.T) {
	cause := errors.New("980 MB")
	rep := Report{Subject: "preflight", Explain: func(err error) error { return fmt.Errorf("%w; get more", err) }}
	rep.Add(Pass("ssh", "answers"))
	rep.Add(Fail("memory", cause))
	if got := rep.Checks[1].Detail; got != "980 MB; get more" {
		t.Errorf("detail = %q", got)
	}
	if rep.Checks[0].Detail != "answers" {
		t.Errorf("a passing check was changed: %q", rep.Checks[0].Detail)
	}
	if err := rep.Err(); err == nil || err.Error() != "preflight failed: memory: 980 MB; get more" || !errors.Is(err, cause) {
		t.Errorf("Err() = %v", err)
	}
}
