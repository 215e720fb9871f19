package infect

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// modelBody stands in for nixos-infect in the tests that run the rendered
// install script. It is not upstream's code: it models only the lines of
// nixos-infect at the pin (7563801, file nixos-infect) that the install
// depends on, with the droplet's paths below $ROOT, and records each run
// (its shell flags, arguments and the variables that steer nixos-infect) in
// $ROOT/infect-runs. The line numbers name the lines it models.
const modelBody = `
{
  printf 'flags=%s\n' "$-"
  printf 'args=%s\n' "$*"
  for v in PROVIDER NIX_CHANNEL NIXOS_IMPORT NO_REBOOT NO_INFECT NO_SWAP bootFs; do
    if [ -n "${!v+set}" ]; then printf '%s=%s\n' "$v" "${!v}"; fi
  done
  echo
} >> "$ROOT/infect-runs"
set -e -o pipefail                                        # line 5

# lines 249-251
isEFI() { [ -d "$ROOT/sys/firmware/efi" ]; }

# lines 267-280: bootFs is set in the UEFI branch only (the regression of
# 619b197, nixos-infect #255); on BIOS it keeps what the environment gave.
prepareEnv() {
  if isEFI; then
    esp=/dev/disk/by-uuid/ESP                             # line 270, findESP
    bootFs=/boot                                          # lines 271-277, no /boot/efi mount
  else
    grubdev=/dev/vda                                      # line 279
  fi
}

# lines 13-127: nothing is written if configuration.nix exists (line 15);
# with doNetConf, networking.nix too (line 126).
makeConf() {
  [[ -e $ROOT/etc/nixos/configuration.nix ]] && return 0
  mkdir -p "$ROOT/etc/nixos"
  echo "{ imports = [ ./hardware-configuration.nix ./networking.nix $NIXOS_IMPORT ]; }" > "$ROOT/etc/nixos/configuration.nix"
  [[ -n $doNetConf ]] && makeNetworkingConf || true
}

# lines 141-216; on a droplet without IPv6 the gateway6 route is empty
# (line 205, nixos-infect #209).
makeNetworkingConf() {
  [[ -n $NO_NETWORKING ]] && return 0
  echo '{ networking.interfaces.eth0.ipv6.routes = [ { address = ""; prefixLength = 128; } ]; }' > "$ROOT/etc/nixos/networking.nix"
}

# lines 363-428, from the lustration list on: $b is $bootFs below $ROOT and,
# like $bootFs upstream, empty and unquoted when bootFs is unset.
infect() {
  [[ -n $FAIL_INSTALL ]] && exit "$FAIL_INSTALL"          # e.g. nix-env --set, line 392
  echo etc/nixos >> "$ROOT/etc/NIXOS_LUSTRATE"            # line 413
  b=${bootFs:+$ROOT$bootFs}
  rm -rf $b.bak                                           # line 418
  isEFI && umount "$esp"                                  # line 419
  mv -v $b $b.bak || { cp -a $b $b.bak ; rm -rf $b/* ; umount $b ; }   # line 421
  if isEFI; then                                          # lines 422-426
    mkdir -p $b
    mount "$esp" $b
  fi
  "$ROOT/nix/var/nix/profiles/system/bin/switch-to-configuration" boot  # line 427
  if [[ -n $BREAK_LUSTRATE ]]; then rm -f "$ROOT/etc/NIXOS_LUSTRATE"; mkdir "$ROOT/etc/NIXOS_LUSTRATE"; fi
}

[[ $PROVIDER = digitalocean ]] && doNetConf=y             # lines 435-437
if [[ -n $FAIL_PASS1 && -n $NO_INFECT ]]; then exit "$FAIL_PASS1"; fi  # e.g. checkEnv, line 439
prepareEnv                                                # line 440
makeConf                                                  # line 445
if [[ -z $NO_INFECT ]]; then infect; fi                   # lines 446-448
if [[ -z $NO_REBOOT ]]; then reboot; fi                   # lines 453-455
`

// model is the stand-in nixos-infect for a machine at root; knobs (FAIL_PASS1,
// FAIL_INSTALL, NO_NETWORKING, BREAK_LUSTRATE) make it fail as described in
// modelBody.
func model(root string, knobs map[string]string) string {
	var b strings.Builder
	b.WriteString("#!/usr/bin/env bash\n")
	fmt.Fprintf(&b, "ROOT=%s\n", root)
	for _, k := range []string{"FAIL_PASS1", "FAIL_INSTALL", "NO_NETWORKING", "BREAK_LUSTRATE"} {
		fmt.Fprintf(&b, "%s=%s\n", k, knobs[k])
	}
	b.WriteString(modelBody)
	return b.String()
}

// stub is a command in PATH that appends its name and arguments to $calls.
const stub = `#!/bin/bash
echo "$(basename "$0") $*" >> %q
`

// curlStub saves the script curl was asked for (-o), unless fail is set.
const curlStub = `#!/bin/bash
echo "curl $*" >> %q
if [ -n %q ]; then echo "curl: (6) Could not resolve host" >&2; exit 6; fi
while [ $# -gt 0 ]; do
  if [ "$1" = -o ]; then cp %q "$2"; fi
  shift
done
`

// aptStub records its arguments; `update` fails, as while another apt
// holds the lists lock, as many times as $LOCKED_UPDATES says (counting in
// $APT_STATE), and `install` fails when $FAIL_INSTALL is set.
const aptStub = `#!/bin/bash
echo "apt-get $*" >> %q
case " $* " in
*" update "*)
  n=$(cat %q 2>/dev/null || echo 0)
  if [ "$n" -lt %q ]; then
    echo $((n + 1)) > %q
    echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 812 (apt-get)" >&2
    exit 100
  fi ;;
*" install "*)
  if [ -n %q ]; then echo "E: Unable to locate package bzip2" >&2; exit 100; fi ;;
esac
`

// infectTools are the programs nixos-infect's checkEnv requires (curl or
// wget, bzcat, xzcat, groupadd, useradd, ip, awk, cut or df, tar: lines
// 348-356 at the pin); a test machine has those it is given as stubs, and
// none of this machine's own.
var infectTools = []string{"curl", "bzcat", "xzcat", "groupadd", "useradd", "ip", "awk", "cut", "df", "tar", "wget"}

// machine is a droplet's disk in a temporary directory, with stub commands
// first in its PATH and then this machine's programs, but for infectTools.
type machine struct {
	root, bin, sys, calls, model string
}

func newMachine(t *testing.T, efi bool, knobs map[string]string, curlFails bool) machine {
	t.Helper()
	dir := t.TempDir()
	m := machine{root: filepath.Join(dir, "root"), bin: filepath.Join(dir, "bin"), calls: filepath.Join(dir, "calls")}
	m.model = filepath.Join(dir, "nixos-infect")
	write := func(path, text string, mode os.FileMode) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
	}
	write(m.model, model(m.root, knobs), 0o644)
	write(filepath.Join(m.root, "boot", "grub", "grub.cfg"), "debian\n", 0o644)
	write(filepath.Join(m.root, "dev", "ttyS0"), "", 0o644) // a console; tty1 is absent
	write(filepath.Join(m.root, "nix/var/nix/profiles/system/bin/switch-to-configuration"), fmt.Sprintf(stub, m.calls), 0o755)
	if efi {
		if err := os.MkdirAll(filepath.Join(m.root, "sys", "firmware", "efi"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"reboot", "mount", "umount"} {
		write(filepath.Join(m.bin, name), fmt.Sprintf(stub, m.calls), 0o755)
	}
	fail := ""
	if curlFails {
		fail = "yes"
	}
	write(filepath.Join(m.bin, "curl"), fmt.Sprintf(curlStub, m.calls, fail, m.model), 0o755)
	for _, name := range infectTools[1:] {
		write(filepath.Join(m.bin, name), fmt.Sprintf(stub, m.calls), 0o755)
	}
	write(filepath.Join(m.bin, "sleep"), fmt.Sprintf(stub, m.calls), 0o755)
	locked := knobs["LOCKED_UPDATES"]
	if locked == "" {
		locked = "0"
	}
	aptState := filepath.Join(dir, "apt-state")
	write(filepath.Join(m.bin, "apt-get"), fmt.Sprintf(aptStub, m.calls, aptState, locked, aptState, knobs["FAIL_INSTALL_TOOLS"]), 0o755)
	m.sys = systemPrograms(t)
	return m
}

// without takes the programs off the machine, as a droplet without them.
func (m machine) without(t *testing.T, programs ...string) {
	t.Helper()
	for _, p := range programs {
		if err := os.Remove(filepath.Join(m.bin, p)); err != nil {
			t.Fatal(err)
		}
	}
}

// systemPrograms is a directory of links to this machine's programs in
// the directories of a plain PATH, but for infectTools. It is made once for
// the package's tests (linking a thousand programs takes a while) and
// removed by TestMain.
func systemPrograms(t *testing.T) string {
	t.Helper()
	farm.once.Do(func() { farm.dir, farm.err = linkPrograms() })
	if farm.err != nil {
		t.Fatal(farm.err)
	}
	return farm.dir
}

var farm struct {
	once sync.Once
	dir  string
	err  error
}

func linkPrograms() (string, error) {
	dir, err := os.MkdirTemp("", "infect-test-path-")
	if err != nil {
		return "", err
	}
	seen := map[string]bool{}
	for _, d := range []string{"/usr/sbin", "/usr/bin", "/sbin", "/bin"} {
		real, err := filepath.EvalSymlinks(d)
		if errors.Is(err, os.ErrNotExist) || seen[real] {
			continue // absent, or /bin when it is a link to /usr/bin
		} else if err != nil {
			return dir, err
		}
		seen[real] = true
		entries, err := os.ReadDir(d)
		if err != nil {
			return dir, err
		}
		for _, e := range entries {
			if contains(infectTools, e.Name()) {
				continue
			}
			// The first directory that has a name wins, as in PATH.
			if err := os.Symlink(filepath.Join(d, e.Name()), filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, os.ErrExist) {
				return dir, err
			}
		}
	}
	return dir, nil
}

func TestMain(m *testing.M) {
	code := m.Run()
	if farm.dir != "" {
		os.RemoveAll(farm.dir)
	}
	os.Exit(code)
}

// env is what cloud-init gives runcmd: no USER, no HOME, a plain PATH
// (the stubs first).
func (m machine) env() []string {
	return []string{"PATH=" + m.bin + ":" + m.sys}
}

// outcome is what an install left behind.
type outcome struct {
	exit                 int
	status, log, console string
	lustrate, networking string
	calls                []string
	runs                 []map[string]string
	rebootCondition      bool
	bootMoved, bootKept  bool
	cloudInitOutput      string
}

// cloudInit does with the user data ud what cloud-init does on the droplet:
// writes write_files, runs runcmd, then evaluates power_state's condition.
func (m machine) cloudInit(t *testing.T, ud string, paths Paths) outcome {
	t.Helper()
	var cc cloudConfig
	if err := yaml.Unmarshal([]byte(ud), &cc); err != nil {
		t.Fatal(err)
	}
	for _, f := range cc.WriteFiles {
		if !strings.HasPrefix(f.Path, m.root+"/") {
			t.Fatalf("write_files path %s is not below the test root", f.Path)
		}
		mode, err := strconv.ParseUint(f.Permissions, 8, 32)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(f.Path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f.Path, []byte(f.Content), os.FileMode(mode)); err != nil {
			t.Fatal(err)
		}
	}
	var o outcome
	if len(cc.RunCmd) != 1 {
		t.Fatalf("runcmd = %q, want one command", cc.RunCmd)
	}
	var out bytes.Buffer
	cmd := exec.Command(cc.RunCmd[0][0], cc.RunCmd[0][1:]...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = m.root, m.env(), &out, &out
	// Run returns once stdout closes, that is once the script's tee, which
	// holds it, has written everything.
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		o.exit = exit.ExitCode()
	default:
		t.Fatal(err)
	}
	o.cloudInitOutput = out.String()

	cond := exec.Command(cc.PowerState.Condition[0], cc.PowerState.Condition[1:]...)
	cond.Env = m.env()
	o.rebootCondition = cond.Run() == nil

	p := paths.Under(m.root)
	read := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return "unreadable: " + err.Error()
		}
		return string(b)
	}
	o.status, o.log = read(p.Status), read(p.Log)
	o.console = read(filepath.Join(m.root, "dev", "ttyS0"))
	o.lustrate = read(filepath.Join(m.root, "etc", "NIXOS_LUSTRATE"))
	o.networking = read(filepath.Join(m.root, "etc", "nixos", "networking.nix"))
	o.calls = strings.Split(strings.TrimSpace(read(m.calls)), "\n")
	for _, block := range strings.Split(strings.TrimSpace(read(filepath.Join(m.root, "infect-runs"))), "\n\n") {
		if block == "" {
			continue
		}
		run := map[string]string{}
		for _, line := range strings.Split(block, "\n") {
			k, v, _ := strings.Cut(line, "=")
			run[k] = v
		}
		o.runs = append(o.runs, run)
	}
	_, err = os.Stat(filepath.Join(m.root, "boot.bak", "grub", "grub.cfg"))
	o.bootMoved = err == nil
	_, err = os.Stat(filepath.Join(m.root, "boot", "grub", "grub.cfg"))
	o.bootKept = err == nil
	return o
}

// The apt-get calls of the user data.
const (
	aptUpdate  = "apt-get -o DPkg::Lock::Timeout=300 update"
	aptInstall = "apt-get -o DPkg::Lock::Timeout=300 install -y "
)

// busyApt are the calls of n updates that find apt's lists locked.
func busyApt(n int) []string {
	calls := []string{aptUpdate}
	for range n - 1 {
		calls = append(calls, "sleep 10", aptUpdate)
	}
	return calls
}

func sha(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// TestInstallScript runs the rendered user data as cloud-init would, in a
// temporary root with stub commands and a model of nixos-infect at the pin,
// on a BIOS droplet (DigitalOcean's) and a UEFI machine, and through a
// failure of each step.
func TestInstallScript(t *testing.T) {
	const channel = "nixos-25.11"
	common := map[string]string{
		"flags": "hxB", "args": "", "PROVIDER": "digitalocean", "NIX_CHANNEL": channel,
		"NIXOS_IMPORT": "./nixos-systems.nix", "NO_REBOOT": "1",
	}
	with := func(extra ...string) map[string]string {
		run := map[string]string{}
		for k, v := range common {
			run[k] = v
		}
		for i := 0; i < len(extra); i += 2 {
			run[extra[i]] = extra[i+1]
		}
		return run
	}
	writeConf := func(extra ...string) map[string]string {
		return with(append([]string{"NO_INFECT", "1", "NO_SWAP", "1"}, extra...)...)
	}
	tests := []struct {
		name      string
		in        *Input // default: nixos-25.11, keyA, DefaultPaths
		efi       bool
		knobs     map[string]string
		missing   []string // of infectTools, the programs the droplet lacks
		curlFails bool
		badSHA    bool
		apt       []string // the apt-get and sleep calls, in order
		runs      []map[string]string
		fail      string // the status after "failed ", "" for done
		switched  bool   // reached switch-to-configuration boot
	}{
		{name: "BIOS droplet", runs: []map[string]string{writeConf("bootFs", "/boot"), with("bootFs", "/boot")}, switched: true},
		{name: "UEFI machine", efi: true, runs: []map[string]string{writeConf(), with()}, switched: true},
		{name: "other channel and paths", in: &Input{Channel: "nixos-unstable", Keys: []string{keyB}, Paths: otherPaths},
			runs: []map[string]string{
				writeConf("bootFs", "/boot", "NIX_CHANNEL", "nixos-unstable"),
				with("bootFs", "/boot", "NIX_CHANNEL", "nixos-unstable"),
			}, switched: true},
		{name: "download fails", curlFails: true, fail: "could not download " + ScriptURL},
		{name: "script differs from the pin", badSHA: true, fail: "nixos-infect does not have the pinned sha256"},
		{name: "first pass fails", knobs: map[string]string{"FAIL_PASS1": "5"},
			runs: []map[string]string{writeConf("bootFs", "/boot")}, fail: "nixos-infect could not write /etc/nixos (exit 5)"},
		{name: "no networking.nix", knobs: map[string]string{"NO_NETWORKING": "y"},
			runs: []map[string]string{writeConf("bootFs", "/boot")}, fail: "could not fix /etc/nixos/networking.nix"},
		{name: "install fails", knobs: map[string]string{"FAIL_INSTALL": "7"},
			runs: []map[string]string{writeConf("bootFs", "/boot"), with("bootFs", "/boot")}, fail: "nixos-infect exited 7"},
		{name: "lustration list not writable", knobs: map[string]string{"BREAK_LUSTRATE": "y"},
			runs: []map[string]string{writeConf("bootFs", "/boot"), with("bootFs", "/boot")}, fail: "could not list the log in /etc/NIXOS_LUSTRATE", switched: true},
		// nixos-infect's own apt-get, in checkEnv, fails while another
		// apt holds the locks, and it then stops for want of bzcat.
		{name: "no bzip2 as on the Debian droplet image", missing: []string{"bzcat"},
			apt:  []string{aptUpdate, aptInstall + "bzip2"},
			runs: []map[string]string{writeConf("bootFs", "/boot"), with("bootFs", "/boot")}, switched: true},
		{name: "apt busy at first", missing: []string{"bzcat", "xzcat", "ip"}, knobs: map[string]string{"LOCKED_UPDATES": "2"},
			apt:  []string{aptUpdate, "sleep 10", aptUpdate, "sleep 10", aptUpdate, aptInstall + "bzip2 xz-utils iproute2"},
			runs: []map[string]string{writeConf("bootFs", "/boot"), with("bootFs", "/boot")}, switched: true},
		{name: "apt-get install fails", missing: []string{"bzcat"}, knobs: map[string]string{"FAIL_INSTALL_TOOLS": "y"},
			apt: []string{aptUpdate, aptInstall + "bzip2"}, fail: "could not install bzip2 (apt-get exited 100)"},
		{name: "apt busy for good", missing: []string{"awk"}, knobs: map[string]string{"LOCKED_UPDATES": "1000"},
			apt: busyApt(30), fail: "apt-get update failed 30 times, 10 s apart"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newMachine(t, tc.efi, tc.knobs, tc.curlFails)
			m.without(t, tc.missing...)
			script, err := os.ReadFile(m.model)
			if err != nil {
				t.Fatal(err)
			}
			p := pin{Commit: Commit, ScriptURL: ScriptURL, ScriptSHA256: sha(string(script))}
			if tc.badSHA {
				p.ScriptSHA256 = sha("another script")
			}
			in := Input{Channel: channel, Keys: []string{keyA}, Paths: DefaultPaths()}
			if tc.in != nil {
				in = *tc.in
			}
			ud, err := render(committedTemplate, in, p, m.root)
			if err != nil {
				t.Fatal(err)
			}
			o := m.cloudInit(t, ud, in.Paths)
			if testing.Verbose() || t.Failed() {
				t.Logf("cloud-init output:\n%s", o.cloudInitOutput)
			}

			if diff := cmp.Diff(tc.runs, o.runs); diff != "" {
				t.Errorf("nixos-infect runs (-want +got):\n%s", diff)
			}
			// The packages come before the download, and only when missing.
			var apt []string
			downloaded := false
			for _, c := range o.calls {
				downloaded = downloaded || strings.HasPrefix(c, "curl ")
				if strings.HasPrefix(c, "apt-get ") || strings.HasPrefix(c, "sleep ") {
					apt = append(apt, c)
					if downloaded {
						t.Errorf("%q after the download", c)
					}
				}
			}
			if diff := cmp.Diff(tc.apt, apt); diff != "" {
				t.Errorf("apt-get and sleep calls (-want +got):\n%s", diff)
			}
			switched := contains(o.calls, "switch-to-configuration boot")
			if switched != tc.switched {
				t.Errorf("reached switch-to-configuration boot: %v, want %v (calls %q)", switched, tc.switched, o.calls)
			}
			for _, c := range o.calls {
				if strings.HasPrefix(c, "reboot") {
					t.Errorf("rebooted: %q", c)
				}
			}
			if tc.fail == "" {
				if o.exit != 0 || o.status != "done\n" || !o.rebootCondition {
					t.Errorf("exit %d, status %q, reboot condition %v; want 0, done, true", o.exit, o.status, o.rebootCondition)
				}
				wantLustrate := "etc/nixos\n" + strings.TrimPrefix(in.Paths.Log, "/") + "\n" + strings.TrimPrefix(in.Paths.Status, "/") + "\n"
				if o.lustrate != wantLustrate {
					t.Errorf("NIXOS_LUSTRATE = %q, want %q", o.lustrate, wantLustrate)
				}
				if strings.Contains(o.networking, `address = ""`) || !strings.Contains(o.networking, "ipv6.routes") {
					t.Errorf("networking.nix still routes to an empty IPv6 gateway, or is gone: %q", o.networking)
				}
				if !o.bootMoved || o.bootKept {
					t.Errorf("/boot moved to /boot.bak: %v, /boot kept: %v; want true, false", o.bootMoved, o.bootKept)
				}
				if tc.efi && !contains(o.calls, "mount /dev/disk/by-uuid/ESP "+m.root+"/boot") {
					t.Errorf("UEFI: the ESP was not mounted at /boot again: %q", o.calls)
				}
			} else {
				want := "failed " + tc.fail
				if o.exit == 0 || !strings.HasPrefix(o.status, want) || o.rebootCondition {
					t.Errorf("exit %d, status %q, reboot condition %v; want non-zero, %q…, false", o.exit, o.status, o.rebootCondition, want)
				}
				if !strings.Contains(o.log, "nixos-systems: FAILED: "+tc.fail) {
					t.Errorf("log lacks the failure %q:\n%s", tc.fail, o.log)
				}
			}
			// The first progress line the run reaches.
			progress := "nixos-systems: downloading nixos-infect " + Commit
			if tc.missing != nil {
				progress = "nixos-systems: installing "
			}
			for what, text := range map[string]string{"log": o.log, "console": o.console, "cloud-init output": o.cloudInitOutput} {
				if !strings.Contains(text, progress) {
					t.Errorf("%s lacks the progress line %q:\n%s", what, progress, text)
				}
			}
			if _, err := os.Stat(filepath.Join(m.root, "dev", "tty1")); err == nil {
				t.Errorf("wrote to a console that does not exist: /dev/tty1")
			}
		})
	}
}

// TestBootFsFromEnvironment shows, on the model of nixos-infect at the pin,
// what the fix relies on: on a BIOS machine prepareEnv leaves bootFs as the
// environment gave it (nixos-infect lines 267-280), and infect then moves
// /boot aside and reaches switch-to-configuration (lines 418-427); without
// it the run stops at line 421 (`mv -v .bak`), as nixos-infect #255 reports.
func TestBootFsFromEnvironment(t *testing.T) {
	for _, tc := range []struct {
		name     string
		env      []string
		switched bool
	}{
		{"bootFs unset", nil, false},
		{"bootFs=/boot", []string{"bootFs=/boot"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMachine(t, false, nil, false)
			cmd := exec.Command("bash", m.model)
			cmd.Dir = m.root
			cmd.Env = append(m.env(), append([]string{"PROVIDER=digitalocean", "NO_REBOOT=1"}, tc.env...)...)
			out, err := cmd.CombinedOutput()
			calls, _ := os.ReadFile(m.calls)
			switched := strings.Contains(string(calls), "switch-to-configuration boot")
			if switched != tc.switched || (err == nil) != tc.switched {
				t.Errorf("switched %v, exit %v; want switched %v and success %v\n%s", switched, err, tc.switched, tc.switched, out)
			}
			if !tc.switched && !strings.Contains(string(out), "mv: missing destination file operand after '.bak'") {
				t.Errorf("want upstream's failure at mv -v .bak, got:\n%s", out)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
