// Package anywhere turns a running droplet into NixOS with nixos-anywhere:
// it checks that the droplet can take the install and that the operator will
// get back in, runs the flake-pinned nixos-anywhere, and on failure says in
// which phase and what to look at. internal/verify checks the result.
package anywhere

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/problem"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

// DefaultDevice is the disk nixos-anywhere/disk-config.nix partitions.
const DefaultDevice = "/dev/vda"

// Files are the paths the checks read. The zero value names the real ones;
// tests point them at fixtures.
type Files struct {
	AuthorizedKeys string // local: the keys NixOS installs for root; "" = authkeys.File
	Device         string // on the host: the disk to wipe; "" = DefaultDevice
	OSRelease      string // on the host: "" = verify.DefaultOSRelease
	Disks          string // on the host: lsblk's JSON instead of running lsblk; "" = run it
	Uname          string // on the host: the uname whose -m names the architecture; "" = uname from PATH
	MemInfo        string // on the host: "" = /proc/meminfo
	Units          string // on the host: systemd's state and failed units as verify asks for them, instead of asking; "" = ask
	ToolPath       string // on the host: the PATH to look for nixos-anywhere's tools in; "" = the login's
}

// Checks are the options of Preflight.
type Checks struct {
	Files
	Force       bool   // go on despite too little memory or an installed NixOS
	Platform    string // this machine, where nixos-anywhere starts, as GOOS/GOARCH; "" = runtime's
	MinMemoryMB int    // memory of the smallest droplet that works; 0 = droplets.AnywhereMinMB
	// FittingSizes returns the slugs of droplet sizes with enough memory,
	// cheapest first, for the advice when the host has too little; nil =
	// not known.
	FittingSizes func(ctx context.Context) ([]string, error)
	// Explain adds to a check's error what the operator can do about it,
	// before the report shows it; nil leaves errors as they are.
	Explain func(error) error
	// Runner runs nixos-anywhere, and `nix --version` for CheckLocal; nil =
	// the real ones, which CheckTarget keeps off this machine. Only an
	// injected runner may face this machine: the tests' loopback sshds.
	Runner runner.Runner
	// NoMemory leaves the memory check out: the install runs on a larger
	// size than the host has now (up's detour), which checks it there.
	NoMemory bool
}

// Preflight checks, changing nothing, that this machine can run
// nixos-anywhere (CheckLocal), that host is not this machine (CheckTarget;
// if it is, nothing else is checked there), that host can take it, and
// that the operator will get back in afterwards. Logging in records the
// host's key in cfg's known_hosts if it is new, which is what verification
// compares with after the reinstall. The report lists every check made; the
// error (wrapping a *verify.Failure) is nil only if none failed.
func Preflight(ctx context.Context, host string, cfg remote.Config, o Checks) (verify.Report, error) {
	if o.MinMemoryMB == 0 {
		o.MinMemoryMB = droplets.AnywhereMinMB
	}
	if o.Device == "" {
		o.Device = DefaultDevice
	}
	rep := verify.Report{Subject: "preflight of " + host, Explain: o.Explain}
	for _, c := range CheckLocal(ctx, o.Runner, o.Platform) {
		rep.Add(c)
	}
	rep.Add(CheckAuthorizedKeys(o.AuthorizedKeys, cfg))
	// Not even a login to this machine: the install would wipe it.
	target := CheckTarget(host, o.Runner)
	rep.Add(target)
	if target.Status == verify.Failed {
		return rep, unchanged(rep, host)
	}

	c, err := remote.Dial(ctx, host, cfg)
	var changed *remote.HostKeyChangedError
	switch {
	case errors.As(err, &changed):
		rep.Add(verify.Fail("host key", err))
		return rep, unchanged(rep, host)
	case err != nil:
		rep.Add(verify.Fail("login", err))
		return rep, unchanged(rep, host)
	}
	defer c.Close()
	rep.Add(verify.Pass("login", "host key "+c.HostKeyFingerprint()))
	if !o.NoMemory {
		rep.Add(checkMemory(ctx, c, o))
	}
	rep.Add(checkArch(ctx, c, o.Uname))
	rep.Add(checkDevice(ctx, c, o.Device))
	rep.Add(checkTools(ctx, c, o.ToolPath))
	rep.Add(checkSystem(ctx, c, o))
	if ctx.Err() != nil {
		return rep, fmt.Errorf("preflight of %s interrupted: %w", host, context.Cause(ctx))
	}
	return rep, unchanged(rep, host)
}

// unchanged is rep's failure, saying that the host was left as it was.
func unchanged(rep verify.Report, host string) error {
	if err := rep.Err(); err != nil {
		return fmt.Errorf("%w; nothing on %s was changed", err, host)
	}
	return nil
}

// memorySlack is the share of a droplet's memory the kernel keeps for
// itself: a 2048 MB droplet shows about 1950 MB in MemTotal.
const memorySlack = 10 // percent

func checkMemory(ctx context.Context, c *remote.Client, o Checks) verify.Check {
	path := cmp.Or(o.MemInfo, "/proc/meminfo")
	out, err := c.Output(ctx, "cat "+remote.ShellQuote(path))
	if err != nil {
		return verify.Fail("memory", fmt.Errorf("read %s: %w", path, err))
	}
	mb, err := memTotalMB(out)
	if err != nil {
		return verify.Fail("memory", fmt.Errorf("%s: %w", path, err))
	}
	if mb >= o.MinMemoryMB*(100-memorySlack)/100 {
		return verify.Pass("memory", fmt.Sprintf("%d MB (MemTotal); nixos-anywhere needs a %d MB droplet", mb, o.MinMemoryMB))
	}
	short := &TooSmallError{MB: mb, MinMB: o.MinMemoryMB}
	if o.FittingSizes != nil {
		short.Fitting, _ = o.FittingSizes(ctx) // without them the advice is less specific, not wrong
	}
	return forceable("memory", short, o.Force, "try anyway")
}

// TooSmallError is a machine with less memory than nixos-anywhere needs.
type TooSmallError struct {
	MB      int      // MemTotal
	MinMB   int      // the smallest droplet that works
	Fitting []string // sizes with enough memory, cheapest first; empty when not known
}

func (e *TooSmallError) Error() string {
	return fmt.Sprintf("%d MB (MemTotal) is less than a %d MB droplet has, and nixos-anywhere's installer runs from RAM (1 GB droplets hang in kexec)", e.MB, e.MinMB)
}

// memTotalMB reads MemTotal from /proc/meminfo, in MB (MiB, as DigitalOcean counts).
func memTotalMB(meminfo []byte) (int, error) {
	sc := bufio.NewScanner(bytes.NewReader(meminfo))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 3 && fields[0] == "MemTotal:" && fields[2] == "kB" {
			kb, err := strconv.Atoi(fields[1])
			if err != nil {
				break
			}
			return kb / 1024, nil
		}
	}
	return 0, errors.New("no MemTotal line in kB")
}

func checkArch(ctx context.Context, c *remote.Client, uname string) verify.Check {
	out, err := c.Output(ctx, remote.ShellQuote(cmp.Or(uname, "uname"))+" -m")
	if err != nil {
		return verify.Fail("arch", err)
	}
	arch := strings.TrimSpace(string(out))
	if arch != "x86_64" {
		return verify.Fail("arch", fmt.Errorf("%s: the flake's digitalocean configuration is built for x86_64-linux only", arch))
	}
	return verify.Pass("arch", arch)
}

func checkDevice(ctx context.Context, c *remote.Client, device string) verify.Check {
	_, err := c.Output(ctx, "test -e "+remote.ShellQuote(device))
	var exit *remote.ExitError
	switch {
	case errors.As(err, &exit) && exit.Status == 1:
		return verify.Fail("disk", fmt.Errorf("%s is missing, and nixos-anywhere/disk-config.nix partitions %s: is this a DigitalOcean droplet?", device, device))
	case err != nil:
		return verify.Fail("disk", fmt.Errorf("look for %s: %w", device, err))
	}
	return verify.Pass("disk", device+" is present, and will be wiped")
}

// toolsCommand prints, one a line, what nixos-anywhere 1.13.0 needs on the
// machine before kexec and does not find there: tar, cpio and a setsid
// that takes --wait, which it aborts without (src/nixos-anywhere.sh, after
// importFacts; src/get-facts.sh asks as this does), and gzip, which its
// `tar -xv --gzip` of the .tar.gz installer runs.
const toolsCommand = `for p in tar cpio gzip; do command -v "$p" >/dev/null || echo "$p"; done; ` +
	`{ command -v setsid >/dev/null && setsid --wait true 2>/dev/null; } || echo "setsid (with --wait)"`

// packages names the Debian package of each program toolsCommand looks for.
var packages = map[string]string{"tar": "tar", "cpio": "cpio", "gzip": "gzip", "setsid (with --wait)": "util-linux"}

// checkTools asks the machine, with PATH path when it is not "", for the
// programs nixos-anywhere runs there before kexec: without them it stops
// after uploading its key, having changed nothing else.
func checkTools(ctx context.Context, c *remote.Client, path string) verify.Check {
	cmd := toolsCommand
	if path != "" {
		cmd = "PATH=" + remote.ShellQuote(path) + "; " + cmd
	}
	out, err := c.Output(ctx, cmd)
	if err != nil {
		return verify.Fail("tools", fmt.Errorf("look for tar, cpio, gzip and setsid: %w", err))
	}
	missing := strings.Split(strings.TrimSpace(string(out)), "\n")
	if missing[0] == "" {
		return verify.Pass("tools", "tar, cpio, gzip and setsid (with --wait), which nixos-anywhere runs before kexec")
	}
	var pkgs []string
	for _, m := range missing {
		if p := packages[m]; p != "" && !slices.Contains(pkgs, p) {
			pkgs = append(pkgs, p)
		}
	}
	return verify.Fail("tools", fmt.Errorf("the droplet has no %s, which nixos-anywhere runs before kexec (to unpack the installer, build its initrd and start it) "+
		"and stops without: install it there (`apt-get install %s` on Debian)", strings.Join(missing, ", no "), strings.Join(pkgs, " ")))
}

func checkSystem(ctx context.Context, c *remote.Client, o Checks) verify.Check {
	os, err := verify.ReadOSRelease(ctx, c, o.OSRelease)
	switch {
	case err != nil:
		return verify.Fail("system", err)
	case os.IsInstaller():
		// An earlier run stopped between kexec and reboot; nixos-anywhere
		// skips kexec and carries on from here.
		return verify.Pass("system", os.String()+": a nixos-anywhere run stopped midway; this one carries on")
	case os.IsNixOS():
		return forceable("system", fmt.Errorf("%s is installed already, and this route wipes %s", os, o.Device), o.Force, "reinstall anyway")
	}
	return verify.Pass("system", os.String())
}

// forceable fails the check, or with force only warns about it; either way
// the error is a *problem.Overridable.
func forceable(name string, err error, force bool, action string) verify.Check {
	o := &problem.Overridable{Err: err, Action: action, Overridden: force}
	if force {
		return verify.Warn(name, o)
	}
	return verify.Fail(name, o)
}
