package sshtest

// What tests need of the machine they run on: the programs the README's
// packages install, and stand-ins for what a check reads of a droplet, so
// that this machine can pass for any droplet.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Require returns the path of program, and fails the test when it is not
// installed, naming the Debian package that installs it. The README's test
// command needs every such program: a test skipped without one would hide
// what was never tried.
func Require(t testing.TB, program, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err != nil {
		t.Fatalf("%s is not installed: apt-get install %s (the README's test command needs it; `nix develop` has it too)", program, pkg)
	}
	return path
}

// Uname writes a uname program that answers -m with machine, as uname on a
// machine of that architecture does, and runs the real uname otherwise. It
// returns the program's path, for checks that take the uname to run on the
// server (anywhere.Files.Uname): this machine then stands in for one of any
// architecture.
func Uname(t testing.TB, machine string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "uname")
	script := fmt.Sprintf("#!/bin/sh\nif [ \"$*\" = -m ]; then echo %s; else exec uname \"$@\"; fi\n", machine)
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
	return path
}

// MemInfo writes a /proc/meminfo of a machine whose kernel counts totalKB of
// memory, and returns its path, for checks that take the file to read on
// the server (anywhere.Files.MemInfo). A 2 GB droplet shows about 2000000.
func MemInfo(t testing.TB, totalKB int) string {
	t.Helper()
	return TempFile(t, "meminfo", fmt.Sprintf("MemTotal:       %8d kB\nMemFree:        %8d kB\nMemAvailable:   %8d kB\n", totalKB, totalKB/2, totalKB*3/4))
}

// ToolPath is a directory to use as a droplet's PATH, for checks that look
// for programs there (anywhere.Files.ToolPath): it holds programs and no
// others. tar, cpio and gzip are stubs that fail if run (the check only
// looks them up); setsid is this machine's own, and so is true, for setsid
// to run. "old setsid" stands for a setsid without --wait, as older
// util-linux and busybox have.
func ToolPath(t testing.TB, programs ...string) string {
	t.Helper()
	dir := t.TempDir()
	script := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o755); err != nil {
			t.Fatalf("write %s: %v", name, err)
		}
	}
	for _, p := range append(programs, "true") {
		switch p {
		case "tar", "cpio", "gzip":
			script(p, "#!/bin/sh\necho \"stub $0 ran\" >&2; exit 1\n")
		case "old setsid":
			script("setsid", "#!/bin/sh\nif [ \"$1\" = --wait ]; then echo \"setsid: unrecognized option '--wait'\" >&2; exit 1; fi\nexec \"$@\"\n")
		case "setsid", "true":
			pkg := map[string]string{"setsid": "util-linux", "true": "coreutils"}[p]
			if err := os.Symlink(Require(t, p, pkg), filepath.Join(dir, p)); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("ToolPath has no stand-in for %s", p)
		}
	}
	return dir
}

// StubNix writes a nix that answers `--version` with version, as a Nix
// able to run nixos-anywhere or deploy-rs would, and fails whatever else
// it is asked: the tests that run the real runners (no runner injected)
// must never reach a real Nix that installs or deploys. It returns the
// directory to put first on PATH, and the file where the stub writes each
// command line it is given, one a line (Calls reads it).
func StubNix(t testing.TB, version string) (dir, calls string) {
	t.Helper()
	dir = t.TempDir()
	calls = filepath.Join(dir, "calls")
	script := fmt.Sprintf("#!/bin/sh\necho \"nix $*\" >> %q\nif [ \"$*\" = --version ]; then echo %q; exit 0; fi\necho \"stub nix: not run\" >&2\nexit 1\n", calls, version)
	if err := os.WriteFile(filepath.Join(dir, "nix"), []byte(script), 0o755); err != nil {
		t.Fatalf("write the stub nix: %v", err)
	}
	return dir, calls
}

// NixOnPath puts StubNix first on PATH for the rest of the test, which
// must not be parallel, and returns the file of its calls.
func NixOnPath(t *testing.T, version string) string {
	t.Helper()
	dir, calls := StubNix(t, version)
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return calls
}

// Calls reads what StubNix's nix was asked, one command line a line;
// none when it was not run.
func Calls(t testing.TB, file string) []string {
	t.Helper()
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}
