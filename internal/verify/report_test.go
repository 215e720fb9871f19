package verify

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReportWriteAndErr(t *testing.T) {
	cause := errors.New("ID=debian is not NixOS")
	rep := Report{Subject: "verify 203.0.113.7"}
	rep.Add(Pass("ssh", "203.0.113.7:22 answers after 3s"))
	rep.Add(Fail("nixos", cause))
	rep.Add(Warn("memory", errors.New("980 MB")))
	rep.Add(Fail("ipv4", errors.New("203.0.113.9 is not configured")))

	var out bytes.Buffer
	if err := rep.Write(&out); err != nil {
		t.Fatal(err)
	}
	want := "verify 203.0.113.7:\n" +
		"  ssh:     ok       203.0.113.7:22 answers after 3s\n" +
		"  nixos:   FAILED   ID=debian is not NixOS\n" +
		"  memory:  WARNING  980 MB\n" +
		"  ipv4:    FAILED   203.0.113.9 is not configured\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}

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
