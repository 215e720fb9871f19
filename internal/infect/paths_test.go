package infect

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPathsUnder(t *testing.T) {
	want := Paths{
		Log: "/tmp/d/var/log/nixos-infect.log", Status: "/tmp/d/var/log/nixos-infect.status",
		CloudInitOutput: "/tmp/d/var/log/cloud-init-output.log", CloudInit: "/tmp/d/var/log/cloud-init.log",
		OSRelease: "/tmp/d/etc/os-release", OldRoot: "/tmp/d/old-root",
	}
	if diff := cmp.Diff(want, DefaultPaths().Under("/tmp/d")); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
}
