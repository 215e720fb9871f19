package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"github.com/google/go-cmp/cmp"

	"github.com/Gleipnir-Technology/nixos-systems/internal/anywhere"
	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/infect"
	"github.com/Gleipnir-Technology/nixos-systems/internal/plan"
	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// upSetup is a simulated account whose droplets' SSH leads to a real sshd
// on this machine, where files stand for what the droplet shows: its
// os-release, its disks (lsblk's JSON) and its /dev/vda.
type upSetup struct {
	*testEnv
	sshd   *sshtest.Server
	files  anywhere.Files
	host   HostFiles
	stderr *sshtest.Buffer
	runner *fakeAnywhere
}

func newUpSetup(t testing.TB, sim dosim.Options) *upSetup {
	t.Helper()
	te, s := newSSHEnv(t, sim)
	stderr := &sshtest.Buffer{}
	te.Err, te.Wait.Log = stderr, stderr
	files := anywhereFiles(t, s)
	files.Disks = filepath.Join(t.TempDir(), "lsblk.json")
	sshtest.WriteFile(t, files.Disks, fixture(t, "lsblk-debian-droplet.json"))
	host := dropletHostFiles(t, s, t.TempDir())
	host.Repo = repoHostFiles().Repo
	return &upSetup{testEnv: te, sshd: s, files: files, host: host, stderr: stderr, runner: &fakeAnywhere{t: t, files: files}}
}

func fixture(t testing.TB, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "verify", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// options are the flags of a test run: IPv6 off, as the simulator's IPv6
// addresses are not on this machine, and nixos-anywhere faked.
func (u *upSetup) options() UpOptions {
	return UpOptions{IPv6: ptr(false), Yes: true, Runner: u.runner, Files: u.files, Host: u.host}
}

// fakeAnywhere stands in for nixos-anywhere: it prints real step lines and
// "installs" by turning the droplet's files into those of NixOS with the
// flake's disk layout, laid on a disk of the size the droplet's API entry
// gives (found by its address in the argv).
type fakeAnywhere struct {
	t      testing.TB
	files  anywhere.Files
	diskGB func() int // the disk the layout goes on; nil = the fixture's
	nix    string     // what `nix --version` prints; "" = a Nix new enough

	mu   sync.Mutex
	runs int
	// failIn, when not "", is the step line before which the next run
	// fails, as nixos-anywhere does when a phase goes wrong: "" of the
	// lines, so that it fails building, before its first step.
	failIn *string
}

func (f *fakeAnywhere) Run(_ context.Context, c runner.Command) error {
	if nixVersion(c, f.nix) {
		return nil
	}
	f.mu.Lock()
	f.runs++
	failIn := f.failIn
	f.failIn = nil
	f.mu.Unlock()
	out := "### Uploading install SSH keys ###\n### Switching system into kexec ###\n### Formatting hard drive with disko ###\n" +
		"### Installing NixOS ###\ninstallation finished!\n### Rebooting ###\n### Done! ###\n"
	if failIn != nil {
		before, _, _ := strings.Cut(out, *failIn)
		fmt.Fprint(c.Stdout, before+"error: the fake nixos-anywhere fails here\n")
		return errors.New("exit status 1")
	}
	fmt.Fprint(c.Stdout, out)
	disks := fixture(f.t, "lsblk-nixos-anywhere.json")
	if f.diskGB != nil {
		disks = strings.Replace(disks, `"size": 85899345920`, fmt.Sprintf(`"size": %d`, int64(f.diskGB())<<30), 1)
	}
	if err := os.WriteFile(f.files.Disks, []byte(disks), 0o644); err != nil {
		return err
	}
	return os.WriteFile(f.files.OSRelease, []byte(nixosRelease), 0o644)
}

func (f *fakeAnywhere) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.runs
}

// The anywhere route on a size that carries it: create, install, verify;
// then the same command again finds it verified and changes nothing.
func TestUpAnywhereOn2GB(t *testing.T) {
	u := newUpSetup(t, fastSim)
	o := u.options()
	o.Size, o.JSON = ptr("s-1vcpu-2gb"), true

	if err := Up(context.Background(), u.Env, "web1", o); err != nil {
		t.Fatalf("up: %v\nstderr:\n%s", err, u.stderr)
	}
	var rep plan.Result
	if err := json.Unmarshal(u.Stdout.Bytes(), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, u.Stdout)
	}
	if rep.Droplet.Name != "web1" || rep.Droplet.Size != "s-1vcpu-2gb" || rep.Route != "anywhere" || rep.Detour != "" || !rep.Changed {
		t.Errorf("report %+v", rep)
	}
	if !rep.Droplet.Host || rep.Install == nil || rep.Install.Seconds <= 0 || rep.Install.At != "s-1vcpu-2gb" {
		t.Errorf("report: host %t, install cost %+v; want the host entry just written and the cost", rep.Droplet.Host, rep.Install)
	}
	statuses := map[string]string{}
	for _, c := range rep.Verified.Checks {
		statuses[c.Name] = string(c.Status)
	}
	if diff := cmp.Diff(map[string]string{"ssh": "ok", "host key": "ok", "login": "ok", "nixos": "ok", "layout": "ok", "ipv4": "ok", "units": "ok"}, statuses); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	if u.runner.count() != 1 {
		t.Errorf("nixos-anywhere ran %d times", u.runner.count())
	}
	wantHostEntry(t, u.HostsDir, u.sshd, "web1", hosts.Anywhere, rep.Droplet.IPv4)

	before := u.mutations()
	u.Stdout.Reset()
	o.JSON = false
	if err := Up(context.Background(), u.Env, "web1", o); err != nil {
		t.Fatalf("up again: %v\nstderr:\n%s", err, u.stderr)
	}
	if n := u.mutations() - before; n != 0 {
		t.Errorf("the second run sent %d changing requests", n)
	}
	if u.runner.count() != 1 {
		t.Errorf("nixos-anywhere ran again")
	}
	if !strings.Contains(u.stderr.String(), "droplet web1 was a verified NixOS already: nothing changed\n") {
		t.Errorf("stderr does not say nothing changed:\n%s", u.stderr)
	}
	out := u.Stdout.String()
	if strings.Contains(out, "install cost") || !strings.Contains(out, "\nroute anywhere: $12.00/month on s-1vcpu-2gb\n") {
		t.Errorf("a run that changed nothing reports an install cost:\n%s", out)
	}
	for _, want := range []string{"web1", "verify ", "layout: ok vda1 1M BIOS boot", "route anywhere: $12.00/month on s-1vcpu-2gb",
		"power on, and wait for SSH done already", "look at the system over SSH ran", "install NixOS with nixos-anywhere, wiping the disk done already",
		"record the host under hosts/ done already"} {
		if !hasLine(out, want) && !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}

	// A tag taken off by hand is put back, as create would, and said so.
	d := u.Sim.Droplets()[0]
	if _, err := u.Client.Tags.UntagResources(context.Background(), "nixos", &godo.UntagResourcesRequest{
		Resources: []godo.Resource{{ID: strconv.Itoa(d.ID), Type: godo.DropletResourceType}},
	}); err != nil {
		t.Fatal(err)
	}
	if err := Up(context.Background(), u.Env, "web1", o); err != nil {
		t.Fatalf("up after untagging: %v\nstderr:\n%s", err, u.stderr)
	}
	if d := u.Sim.Droplets()[0]; !slices.Contains(d.Tags, "nixos") || !strings.Contains(u.stderr.String(), fmt.Sprintf("repaired droplet web1 (id %d): tagged nixos\n", d.ID)) {
		t.Errorf("tags %v after the repair; stderr:\n%s", d.Tags, u.stderr)
	}
}

// -dryrun shows sizes, prices and steps, and changes nothing.
func TestUpDryRun(t *testing.T) {
	u := newUpSetup(t, fastSim)
	o := u.options()
	o.DryRun = true
	if err := Up(context.Background(), u.Env, "web1", o); err != nil {
		t.Fatal(err)
	}
	if n := u.mutations(); n != 0 {
		t.Errorf("%d changing requests", n)
	}
	out := u.Stdout.String()
	for _, want := range []string{
		"up web1: route anywhere in sfo3, a new droplet",
		"size s-1vcpu-1gb 1024 MB, 1 vCPU, 25 GB $6.00/month $0.008930/hour the cheapest in sfo3 that carries route anywhere",
		"install on s-1vcpu-2gb 2048 MB, 1 vCPU, 50 GB $12.00/month $0.017860/hour for the install only",
		"install cost: at most $0.02 once (billed per second: the run is bounded by -timeout=1h, at s-1vcpu-2gb's price at most, $0.01 of it for installing on s-1vcpu-2gb; $0.0030 for every 10 minutes it takes), then $6.00/month",
		"1. create droplet web1: s-1vcpu-1gb in sfo3 from debian-12-x64, and wait for SSH",
		"4. check the droplet and this machine for nixos-anywhere, and ask before wiping the disk",
		"5. tag the droplet nixos-up:return-to:s-1vcpu-1gb, recording the size it goes back to",
		"6. power off for the resize",
		"7. resize to s-1vcpu-2gb, CPU and RAM only",
		"10. power off to resize back",
		"11. resize back to s-1vcpu-1gb, CPU and RAM only ($6.00/month)",
		"13. remove the tag nixos-up:return-to:s-1vcpu-1gb",
		"14. verify NixOS, the host key, the addresses and the disk layout",
		"15. record the host under hosts/",
		"this machine, for nixos-anywhere:",
		"local nix: ok nix (Nix) 2.24.10 (nixos-anywhere needs 2.18 or newer)",
	} {
		if !hasLine(out, want) {
			t.Errorf("plan lacks a line %q:\n%s", want, out)
		}
	}

	if want := filepath.Join(u.HostsDir, "web1", "host.json") + ":"; !strings.Contains(out, want) {
		t.Errorf("the plan does not show the host entry %s:\n%s", want, out)
	}

	// Without a key NixOS would let in, the plan is still shown, then what
	// stands in the way.
	u.Stdout.Reset()
	nokey := o
	nokey.Files.AuthorizedKeys = sshtest.TempFile(t, "authorized_keys", "# nobody yet\n")
	err := Up(context.Background(), u.Env, "web1", nokey)
	if err == nil || !strings.Contains(err.Error(), "has no key") || !hasLine(u.Stdout.String(), "up web1: route anywhere in sfo3") {
		t.Errorf("dry run without keys: %v\n%s", err, u.Stdout)
	}

	u.Stdout.Reset()
	o.JSON, o.Route = true, "infect"
	o.Infect = u.infectOptions(t)
	if err := Up(context.Background(), u.Env, "web2", o); err != nil {
		t.Fatal(err)
	}
	var p plan.Outline
	if err := json.Unmarshal(u.Stdout.Bytes(), &p); err != nil {
		t.Fatalf("%v\n%s", err, u.Stdout)
	}
	if p.Route != "infect" || p.Size.Slug != "s-1vcpu-1gb" || p.Detour != nil || len(p.Steps) != 6 {
		t.Errorf("infect plan %+v", p)
	}
}

// A system that boots with a failed unit is reported, and the run still
// finishes and records the host: the fix is deployed through it.
func TestUpWarnsOfFailedUnitsAndRecordsTheHost(t *testing.T) {
	u := newUpSetup(t, fastSim)
	sshtest.WriteFile(t, u.files.Units, "state: degraded\ngrowpart.service loaded failed failed Grow the root partition\n")
	o := u.options()
	o.Size = ptr("s-1vcpu-2gb")

	if err := Up(context.Background(), u.Env, "web1", o); err != nil {
		t.Fatalf("up: %v\nstderr:\n%s", err, u.stderr)
	}
	want := "units: WARNING degraded, failed: growpart.service; `systemctl status growpart.service` and `journalctl -b -u growpart.service` " +
		"on the droplet say why; the system is up, so the run goes on and records the host: fix what failed in the flake and bring the host to it with `mage deploy`"
	if out := u.Stdout.String(); !hasLine(out, want) || strings.Contains(out, "FAILED") {
		t.Errorf("report lacks the warning\n%s\nor has a failure:\n%s", want, out)
	}
	ip, _ := u.Sim.Droplets()[0].PublicIPv4()
	wantHostEntry(t, u.HostsDir, u.sshd, "web1", hosts.Anywhere, ip)
}

// infectOptions points the infect route at files beside the sshd's.
func (u *upSetup) infectOptions(t *testing.T) InfectOptions {
	dir := t.TempDir()
	o := InfectOptions{
		Template: filepath.Join("..", "..", "digitalocean", "infect-nixos.yaml"),
		KeysFile: u.files.AuthorizedKeys,
		LogDir:   t.TempDir(),
		Install:  30 * time.Second, Reboot: 10 * time.Second, Poll: 20 * time.Millisecond,
	}
	o.defaults()
	o.Paths = o.Paths.Under(dir)
	sshtest.WriteFile(t, o.Paths.OSRelease, "ID=debian\n")
	return o
}

// Bad flags are refused before anything changes.
func TestUpRefusesBadFlags(t *testing.T) {
	u := newUpSetup(t, fastSim)
	tests := []struct {
		name    string
		mod     func(o *UpOptions)
		droplet string
		want    string
	}{
		{"route", func(o *UpOptions) { o.Route = "image" }, "web1", `-route: unknown route "image": use one of anywhere, infect`},
		{"size", func(o *UpOptions) { o.Size = ptr("s-9vcpu-1tb") }, "web1", `unknown size "s-9vcpu-1tb"`},
		{"size elsewhere", func(o *UpOptions) { o.Size = ptr(notInSFO3(t)) }, "web1", "is not offered in sfo3"},
		{"small", func(o *UpOptions) { o.Size = ptr("s-1vcpu-512mb-10gb") }, "web1", "needs at least 1024 MB"},
		{"region", func(o *UpOptions) { o.Region = ptr("mars1") }, "web1", `unknown region "mars1"`},
		{"name", func(*UpOptions) {}, "web_1", `invalid droplet name "web_1"`},
	}
	for _, tc := range tests {
		o := u.options()
		tc.mod(&o)
		err := Up(context.Background(), u.Env, tc.droplet, o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if n := u.mutations(); n != 0 {
		t.Errorf("%d changing requests", n)
	}
}

// infecting runs run, which follows nixos-infect, while the test plays the
// droplet: the install logs a line, finishes, and the droplet reboots into
// NixOS. It returns run's error.
func (u *upSetup) infecting(t *testing.T, p infect.Paths, run func() error) error {
	t.Helper()
	sshtest.WriteFile(t, p.Status, "running\n")
	sshtest.AppendFile(t, p.Log, "nixos-systems: downloading nixos-infect\n")
	done := make(chan error, 1)
	go func() { done <- run() }()
	u.stderr.WaitFor(t, "cheap1: nixos-systems: downloading nixos-infect\n")
	sshtest.WriteFile(t, p.Status, "done\n")
	u.stderr.WaitFor(t, "nixos-infect done")
	u.sshd.Stop(t) // the reboot into NixOS
	u.stderr.WaitFor(t, "the droplet is rebooting into NixOS")
	sshtest.WriteFile(t, p.OSRelease, nixosRelease)
	u.sshd.Restart(t)
	return <-done
}

// The infect route: the droplet's user data installs NixOS on its first
// boot; up follows it through the reboot and verifies the result, and a
// second run changes nothing.
func TestUpInfect(t *testing.T) {
	u := newUpSetup(t, fastSim)
	o := u.options()
	o.Route, o.Infect = "infect", u.infectOptions(t)
	if err := u.infecting(t, o.Infect.Paths, func() error { return Up(context.Background(), u.Env, "cheap1", o) }); err != nil {
		t.Fatalf("up: %v\nstderr:\n%s", err, u.stderr)
	}

	d := u.Sim.Droplets()[0]
	ip, _ := d.PublicIPv4()
	wantHostEntry(t, u.HostsDir, u.sshd, "cheap1", hosts.Infect, ip)
	if d.SizeSlug != "s-1vcpu-1gb" {
		t.Errorf("size %s, want the cheapest that carries infect", d.SizeSlug)
	}
	if ud, _ := u.Sim.UserData(d.ID); !strings.Contains(ud, "PROVIDER=digitalocean") {
		t.Errorf("the droplet was made without the infect user data:\n%s", ud)
	}
	out := u.Stdout.String()
	for _, want := range []string{"nixos: ok NixOS 25.11", "route infect: $6.00/month on s-1vcpu-1gb; this run cost at most $0.00 (its "} {
		if !hasLine(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "layout") || strings.Contains(out, "FAILED") {
		t.Errorf("infect keeps DigitalOcean's layout, and nothing may fail:\n%s", out)
	}

	before := u.mutations()
	if err := Up(context.Background(), u.Env, "cheap1", o); err != nil {
		t.Fatalf("up again: %v\nstderr:\n%s", err, u.stderr)
	}
	if n := u.mutations() - before; n != 0 || !strings.Contains(u.stderr.String(), "droplet cheap1 was a verified NixOS already: nothing changed\n") {
		t.Errorf("the second run sent %d changing requests:\n%s", n, u.stderr)
	}
}

// stopAfter is the operator's Ctrl-C right after step k: it cancels the
// run as the step's end (or its being done already) is logged, before the
// next step starts.
type stopAfter struct {
	w      *sshtest.Buffer
	k      int
	cancel context.CancelFunc
}

func (s *stopAfter) Write(p []byte) (int, error) {
	line := string(p)
	if strings.HasPrefix(line, fmt.Sprintf("--- %d/", s.k)) ||
		(strings.HasPrefix(line, fmt.Sprintf("==> %d/", s.k)) && strings.HasSuffix(line, ": done already\n")) {
		s.cancel()
	}
	return s.w.Write(p)
}

// interrupt runs up with a Ctrl-C after step k and returns its error.
func (u *upSetup) interrupt(t *testing.T, name string, o UpOptions, k int) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := *u.Env
	e.Err = &stopAfter{w: u.stderr, k: k, cancel: cancel}
	return Up(ctx, &e, name, o)
}

// An interruption after each step of the anywhere route leaves a droplet
// that the same command finishes, installing once.
func TestUpAnywhereResumesAfterEveryStep(t *testing.T) {
	const steps = 7 // create, power on, look, check, install, verify, record the host
	for k := 1; k < steps; k++ {
		t.Run(fmt.Sprint("after step ", k), func(t *testing.T) {
			t.Parallel()
			u := newUpSetup(t, fastSim)
			o := u.options()
			o.Size = ptr("s-1vcpu-2gb")
			err := u.interrupt(t, "web1", o, k)
			if err == nil || !strings.Contains(err.Error(), "context canceled") {
				t.Fatalf("interrupted run: %v", err)
			}
			for _, want := range []string{"droplet web1 (id ", " is active on s-1vcpu-2gb at $0.017860/hour ($12.00/month)", "`mage up web1` continues from here", "remove it with `mage destroy web1 -yes`"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q: %v", want, err)
				}
			}
			if err := Up(context.Background(), u.Env, "web1", o); err != nil {
				t.Fatalf("resumed run: %v\nstderr:\n%s", err, u.stderr)
			}
			if n := len(u.Sim.Droplets()); n != 1 || u.runner.count() != 1 {
				t.Errorf("%d droplets, %d installs; want one of each", n, u.runner.count())
			}
			if !hasLine(u.Stdout.String(), "layout: ok") {
				t.Errorf("report:\n%s", u.Stdout)
			}
		})
	}
}

// The README's cost table gives the figures `up -dryrun` computes from the
// simulator's catalog, which is DigitalOcean's.
func TestReadmeCostTable(t *testing.T) {
	u := newUpSetup(t, fastSim)
	// The cost table's rows, from its header to the blank line after it:
	// other tables start rows with the same route names.
	readme := readRepoFile(t, "README.md")
	start := strings.Index(readme, "\n| route | size `up` picks")
	if start < 0 {
		t.Fatal("README has no cost table (| route | size `up` picks …)")
	}
	table, _, _ := strings.Cut(readme[start+1:], "\n\n")
	rows := map[string]UpOptions{
		"| `anywhere` |":                   {},
		"| `anywhere -size=s-1vcpu-2gb` |": {Size: ptr("s-1vcpu-2gb")},
		"| `infect` |":                     {Route: "infect", Infect: u.infectOptions(t)},
	}
	for first, mod := range rows {
		o := u.options()
		o.Route, o.Size, o.Infect, o.DryRun, o.JSON = mod.Route, mod.Size, mod.Infect, true, true
		u.Stdout.Reset()
		if err := Up(context.Background(), u.Env, "costs", o); err != nil {
			t.Fatal(err)
		}
		var p plan.Outline
		if err := json.Unmarshal(u.Stdout.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		var row string
		for _, line := range strings.Split(table, "\n") {
			if strings.HasPrefix(line, first) {
				row = line
			}
		}
		tenMinutes := plan.CostOf(p.Size, p.Detour, 10*time.Minute).Total
		want := []string{"`" + p.Size.Slug + "`", fmt.Sprintf("| $%0.2f |", p.Size.PriceMonthly), fmt.Sprintf("| $%0.2f: ", p.Install.Total),
			fmt.Sprintf("$%0.4f per 10 minutes |", tenMinutes)}
		if p.Detour != nil {
			want = append(want, "`"+p.Detour.Slug+"`", fmt.Sprintf("$%0.2f of it", p.Install.Detour))
		}
		for _, w := range want {
			if !strings.Contains(row, w) {
				t.Errorf("README row %q lacks %q", row, w)
			}
		}
	}
}

// An interruption after each step of the infect route leaves a droplet
// that the same command finishes, following the install once.
func TestUpInfectResumesAfterEveryStep(t *testing.T) {
	const steps = 6 // create, power on, look, follow, verify, record the host
	for k := 1; k < steps; k++ {
		t.Run(fmt.Sprint("after step ", k), func(t *testing.T) {
			u := newUpSetup(t, fastSim)
			o := u.options()
			o.Route, o.Infect = "infect", u.infectOptions(t)
			interrupted := func() error { return u.interrupt(t, "cheap1", o, k) }
			resumed := func() error { return Up(context.Background(), u.Env, "cheap1", o) }
			// Whichever run reaches the follow step sees the install.
			var first, second error
			if k < 4 {
				first = interrupted()
				second = u.infecting(t, o.Infect.Paths, resumed)
			} else {
				first = u.infecting(t, o.Infect.Paths, interrupted)
				second = resumed()
			}
			if first == nil || !strings.Contains(first.Error(), "context canceled") || !strings.Contains(first.Error(), "`mage up cheap1 -route=infect` continues from here") {
				t.Fatalf("interrupted run: %v", first)
			}
			if second != nil {
				t.Fatalf("resumed run: %v\nstderr:\n%s", second, u.stderr)
			}
			if n := strings.Count(u.stderr.String(), "following the install on cheap1"); n != 1 || len(u.Sim.Droplets()) != 1 {
				t.Errorf("%d droplets; the install was followed %d times", len(u.Sim.Droplets()), n)
			}
			if !hasLine(u.Stdout.String(), "nixos: ok NixOS 25.11") {
				t.Errorf("report:\n%s", u.Stdout)
			}
		})
	}
}
