package anywhere

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

// nixVersion answers `nix --version` as a Nix of that version would (with
// a warning on stderr, as Debian's prints without a nixbld group), and
// fails the test for any other command.
type nixVersion struct {
	t       testing.TB
	version string // "" = no nix on PATH
}

func (n nixVersion) Run(_ context.Context, c runner.Command) error {
	if c.Name != "nix" || len(c.Args) != 1 || c.Args[0] != "--version" {
		n.t.Errorf("ran %s %v", c.Name, c.Args)
		return errors.New("unexpected command")
	}
	if n.version == "" {
		return &exec.Error{Name: "nix", Err: exec.ErrNotFound}
	}
	fmt.Fprintln(c.Stderr, "warning: the group 'nixbld' specified in 'build-users-group' does not exist")
	_, err := fmt.Fprintln(c.Stdout, n.version)
	return err
}

func TestCheckLocal(t *testing.T) {
	for _, tc := range []struct {
		version string
		status  verify.Status
		detail  string
	}{
		{"nix (Nix) 2.24.10", verify.OK, "nix (Nix) 2.24.10 (nixos-anywhere needs 2.18 or newer)"},
		{"nix (Nix) 2.18.0", verify.OK, "nix (Nix) 2.18.0 (nixos-anywhere needs 2.18 or newer)"},
		{"nix (Lix, like Nix) 2.91.1", verify.OK, "nix (Lix, like Nix) 2.91.1"},
		{"nix (Determinate Nix 3.6.2) 2.29.0", verify.OK, "2.29.0"},
		{"nix (Nix) 2.30pre20250101_abcdef", verify.OK, "2.30pre"},
		{"nix (Nix) 3.0.0", verify.OK, "3.0.0"},
		{"nix (Nix) 2.8.0", verify.Failed, "nix (Nix) 2.8.0 is older than Nix 2.18, which the pinned nixpkgs needs to evaluate the flake"},
		{"nix (Nix) 2.17.1", verify.Failed, "is older than Nix 2.18"},
		{"nix (Nix) 1.11", verify.Failed, "is older than Nix 2.18"},
		{"hello", verify.Failed, "`nix --version` printed \"hello\", which names no version"},
		{"", verify.Failed, "nix is not on PATH"},
	} {
		c := checkNix(context.Background(), nixVersion{t, tc.version})
		if c.Name != "local nix" || c.Status != tc.status || !strings.Contains(c.Detail, tc.detail) {
			t.Errorf("%q: %+v, want %s with %q", tc.version, c, tc.status, tc.detail)
		}
	}
}

// The real runner runs the nix it finds on PATH, and tells a missing one
// from a failing one.
func TestCheckLocalRunsNix(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PATH", dir)
	if c := checkNix(context.Background(), nil); c.Status != verify.Failed || !strings.Contains(c.Detail, "nix is not on PATH") {
		t.Errorf("no nix: %+v", c)
	}
	nix := func(script string) {
		if err := os.WriteFile(filepath.Join(dir, "nix"), []byte("#!/bin/sh\n"+script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	nix("echo 'warning: on stderr' >&2\necho 'nix (Nix) 2.8.0'\n")
	if c := checkNix(context.Background(), nil); c.Status != verify.Failed || !strings.HasPrefix(c.Detail, "nix (Nix) 2.8.0 is older") {
		t.Errorf("nix 2.8: %+v", c)
	}
	nix("exit 3\n")
	if c := checkNix(context.Background(), nil); c.Status != verify.Failed || !strings.Contains(c.Detail, "`nix --version` failed: exit status 3") {
		t.Errorf("failing nix: %+v", c)
	}
}

// One check of this machine for the preflight, up and its dry run: the
// Nix, and where the system will be built.
func TestCheckLocalSaysWhereItBuilds(t *testing.T) {
	got := CheckLocal(context.Background(), nixVersion{t, "nix (Nix) 2.24.10"}, "darwin/arm64")
	if len(got) != 2 || got[0].Name != "local nix" || got[0].Status != verify.OK || got[1].Name != "build" || got[1].Status != verify.Warning {
		t.Errorf("CheckLocal = %+v, want local nix ok and build a warning", got)
	}
}
