package anywhere

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

// MinNix is the oldest Nix that runs Command: the nixpkgs flake.lock pins
// refuses to evaluate with an older one (Debian 12's nix-bin is 2.8).
const MinNix = "2.18"

// CheckLocal checks, changing nothing, what nixos-anywhere needs of this
// machine, where it starts, before anything is done to a droplet: a `nix`
// on PATH of version MinNix or newer, and where the system will be built
// (checkBuild; a warning off x86_64 Linux). It asks `nix --version` through
// r, the runner the install uses (nil = for real), so that tests which fake
// nixos-anywhere fake this too; platform is this machine as GOOS/GOARCH,
// "" = the running one's.
func CheckLocal(ctx context.Context, r runner.Runner, platform string) []verify.Check {
	return []verify.Check{checkNix(ctx, r), checkBuild(cmp.Or(platform, runtime.GOOS+"/"+runtime.GOARCH))}
}

// checkNix runs `nix --version` with r and compares it with MinNix.
func checkNix(ctx context.Context, r runner.Runner) verify.Check {
	if r == nil {
		r = execRunner
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	// Nix's warnings (a missing nixbld group …) go to stderr, not into
	// what is parsed.
	err := r.Run(ctx, runner.Command{Name: "nix", Args: []string{"--version"}, Stdout: &out, Stderr: io.Discard})
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return verify.Fail("local nix", fmt.Errorf("nix is not on PATH, and nixos-anywhere runs with this machine's Nix (%s or newer): install Nix (https://nixos.org/download), then run inside `nix develop`", MinNix))
	case err != nil:
		return verify.Fail("local nix", fmt.Errorf("`nix --version` failed: %w", err))
	}
	line, _, _ := strings.Cut(strings.TrimSpace(out.String()), "\n")
	ok, err := newEnough(line)
	switch {
	case err != nil:
		return verify.Fail("local nix", err)
	case !ok:
		return verify.Fail("local nix", fmt.Errorf("%s is older than Nix %s, which the pinned nixpkgs needs to evaluate the flake: install a newer Nix (https://nixos.org/download; Debian's nix-bin is too old)", line, MinNix))
	}
	return verify.Pass("local nix", fmt.Sprintf("%s (nixos-anywhere needs %s or newer)", line, MinNix))
}

// newEnough reads the version at the end of `nix --version`'s line ("nix
// (Nix) 2.24.10", "nix (Lix, like Nix) 2.91.1", "nix (Determinate Nix 3.6.2)
// 2.29.0") and compares it with MinNix.
func newEnough(line string) (bool, error) {
	fields := strings.Fields(line)
	bad := fmt.Errorf("`nix --version` printed %q, which names no version", line)
	if len(fields) == 0 {
		return false, bad
	}
	have, ok := majorMinor(fields[len(fields)-1])
	if !ok {
		return false, bad
	}
	want, _ := majorMinor(MinNix)
	return have[0] > want[0] || have[0] == want[0] && have[1] >= want[1], nil
}

// checkBuild says where nixos-anywhere will build the system (x86_64-linux)
// when it starts on platform. It builds here on x86_64 Linux. Elsewhere,
// with --build-on auto, it tries a trivial build for x86_64-linux: that
// succeeds through a builder of this machine's Nix, and then it builds
// here as well; otherwise it builds on the droplet after kexec
// (src/nixos-anywhere.sh, checkBuildLocally and runDisko/nixosInstall at
// 1.13.0). That is left to it, so a configured builder is used, and said
// here, where nothing has been changed yet.
func checkBuild(platform string) verify.Check {
	if platform == "linux/amd64" {
		return verify.Pass("build", "here, on linux/amd64 (x86_64-linux, as the system)")
	}
	return verify.Warn("build", fmt.Errorf("this machine is %s: without a builder for x86_64-linux (nix.conf `builders`), "+
		"nixos-anywhere builds the system on the droplet after kexec, in the installer's RAM, so a build error or a build too big for it "+
		"shows only then, with the droplet in the installer; its failed trial build for x86_64-linux at the start says which", platform))
}

// majorMinor reads the first two numbers of a version such as 2.24.10 or
// 2.30pre20250101.
func majorMinor(v string) ([2]int, bool) {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return [2]int{}, false
	}
	major, err := strconv.Atoi(parts[0])
	if err != nil {
		return [2]int{}, false
	}
	digits := strings.IndexFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' })
	if digits < 0 {
		digits = len(parts[1])
	}
	minor, err := strconv.Atoi(parts[1][:digits])
	if err != nil {
		return [2]int{}, false
	}
	return [2]int{major, minor}, true
}
