package hints

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/anywhere"
	"github.com/Gleipnir-Technology/nixos-systems/internal/deploy"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/images"
	"github.com/Gleipnir-Technology/nixos-systems/internal/infect"
	"github.com/Gleipnir-Technology/nixos-systems/internal/plan"
	"github.com/Gleipnir-Technology/nixos-systems/internal/problem"
	"github.com/Gleipnir-Technology/nixos-systems/internal/prompt"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

func TestExplain(t *testing.T) {
	cause := errors.New("context deadline exceeded")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"a kind", droplets.ErrUnknownSize.Errorf("unknown size %q", "s-9"),
			"unknown size \"s-9\": run `mage sizes` for valid slugs, e.g. -size=s-1vcpu-2gb"},
		{"a kind wrapped", fmt.Errorf("create: %w", images.ErrNoSuchImage.Errorf("no image with ID 4")),
			"create: no image with ID 4: `mage images` lists this repo's images"},
		{"declined", prompt.ErrDeclined.Errorf("not destroyed"), "not destroyed: answer y to the question, or pass -yes"},
		{"foreign", &problem.Overridable{Err: errors.New("droplet x is not ours"), Action: "destroy it anyway"},
			"droplet x is not ours; pass -force to destroy it anyway"},
		{"overridden", &problem.Overridable{Err: errors.New("980 MB"), Overridden: true}, "980 MB (going on: -force)"},
		{"stranded by name", &droplets.StrandedError{Name: "web", ID: 5, Err: cause},
			"context deadline exceeded; it is still there and billed: see `mage list`, remove it with `mage destroy web -yes`"},
		{"stranded by ID", &droplets.StrandedError{ID: 5, Err: cause},
			"context deadline exceeded; it is still there and billed: see `mage list`, remove it with `mage destroy 5 -yes`"},
		{"unfinished", &droplets.StrandedError{Name: "web", ID: 5, Unfinished: true, Err: cause},
			"context deadline exceeded; run the same target again to finish it, or remove it with `mage destroy web -yes`"},
		{"differs", &droplets.DiffersError{Name: "web", ID: 5, Differences: []droplets.Difference{{Field: "region", Have: "nyc3", Want: "sfo3"}, {Field: "ipv6", Have: "false", Want: "true"}}},
			"droplet web (id 5) exists with region nyc3 (asked: sfo3), ipv6 false (asked: true); these are not changed in place: ask for what it has (-region=nyc3 -ipv6=false), choose another -name, or remove it with `mage destroy web -yes` and run again"},
		{"maybe stranded", &droplets.StrandedError{Name: "web", Maybe: true, Err: cause}, "context deadline exceeded; check `mage list` before retrying"},
		{"import left", &images.StillImportingError{ID: 9, Err: cause},
			"context deadline exceeded; see `mage images`, or remove it with `mage deleteImage 9 -yes`"},
		{"custom image with IPv6", fmt.Errorf("422: %w", droplets.ErrCustomImageIPv6),
			"422: " + droplets.ErrCustomImageIPv6.Error() + "; create it with -ipv6=false, or keep IPv6 with a stock image and `mage anywhere` or `mage infect`"},
		// Innermost first: the advice for the memory, then how to override.
		{"too small, overridable", &problem.Overridable{Err: &anywhere.TooSmallError{MB: 980, MinMB: 2048, Fitting: []string{"s-1vcpu-2gb", "s-2vcpu-2gb"}}, Action: "try anyway"},
			(&anywhere.TooSmallError{MB: 980, MinMB: 2048}).Error() + "; resize the droplet, or make one with `mage create -size=s-1vcpu-2gb`; sizes that fit: s-1vcpu-2gb, s-2vcpu-2gb; pass -force to try anyway"},
		{"too small, sizes unknown", &anywhere.TooSmallError{MB: 980, MinMB: 2048},
			(&anywhere.TooSmallError{MB: 980, MinMB: 2048}).Error() + "; resize the droplet to a size of at least 2048 MB (`mage sizes` lists them)"},
		{"install timed out in disko", &anywhere.InstallError{Phase: anywhere.PhaseDisko, Err: context.DeadlineExceeded},
			(&anywhere.InstallError{Phase: anywhere.PhaseDisko, Err: context.DeadlineExceeded}).Error() + ", so run `mage anywhere` again to retry; -timeout allows it longer"},
		{"not rebooted", fmt.Errorf("follow: %w", &infect.NotRebootedError{Host: "203.0.113.7", Login: "admin@203.0.113.7", For: 10 * time.Minute}),
			"follow: nixos-infect finished 10m ago but 203.0.113.7 has not rebooted: reboot it (`ssh admin@203.0.113.7 reboot`), then run `mage infect` again to check it"},
		{"build on the droplet failed", &anywhere.InstallError{Phase: anywhere.PhaseInstall, Step: "Building the system closure", Err: cause},
			(&anywhere.InstallError{Phase: anywhere.PhaseInstall, Step: "Building the system closure", Err: cause}).Error() +
				", so fix what the errors say, or give Nix a builder for x86_64-linux, and run `mage anywhere` again"},
		{"install on this machine", fmt.Errorf("preflight: %w", &anywhere.ThisMachineError{Addr: "127.64.0.2", Why: "a loopback address"}),
			"preflight: 127.64.0.2 is this machine (a loopback address): nixos-anywhere would wipe its disk; run it from another machine, at a real droplet: " +
				"a droplet of `mage sim` whose SSH -ssh=… forwards here is for `mage create` and the dry runs only (no flag lifts this, not even -force)"},
		{"deploy to this machine", &deploy.ThisMachineError{Host: "web1", Addr: "127.64.0.2", Why: "a loopback address", Entry: "hosts/web1/host.json"},
			"host web1 is at 127.64.0.2, which is this machine (a loopback address): deploy-rs would switch this machine's system to host web1's; " +
				"correct the address in hosts/web1/host.json, or leave the host out with -hosts=…; a host that is this machine deploys from another one (no flag lifts this)"},
		{"nothing to add", errors.New("no route to host"), "no route to host"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Explain(tc.err)
			if got.Error() != tc.want {
				t.Errorf("Explain =\n  %s\nwant\n  %s", got, tc.want)
			}
			if !errors.Is(got, tc.err) {
				t.Errorf("Explain(err) does not wrap err")
			}
			if again := Explain(got); again.Error() != got.Error() {
				t.Errorf("explained twice: %s", again)
			}
		})
	}
	if Explain(nil) != nil {
		t.Error("Explain(nil) != nil")
	}
}

// A report explains its checks as they are added; explaining its error
// afterwards repeats nothing.
func TestExplainReportOnce(t *testing.T) {
	rep := verify.Report{Subject: "preflight of 203.0.113.7", Explain: Explain}
	rep.Add(verify.Fail("system", &problem.Overridable{Err: errors.New("NixOS is installed already"), Action: "reinstall anyway"}))
	want := "preflight of 203.0.113.7 failed: system: NixOS is installed already; pass -force to reinstall anyway; nothing was changed"
	if got := Explain(fmt.Errorf("%w; nothing was changed", rep.Err())); got.Error() != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// A stopped up gives one way on and one way out, whatever it wraps.
func TestExplainStoppedUp(t *testing.T) {
	d := droplets.Droplet{ID: 7, Name: "cheap1", Status: "active", Size: "s-1vcpu-2gb", PriceHourly: 0.01786, PriceMonthly: 12}
	back := droplets.Size{Slug: "s-1vcpu-1gb", PriceMonthly: 6}
	inner := &droplets.StrandedError{Name: "cheap1", ID: 7, Err: &anywhere.InstallError{Phase: anywhere.PhaseDisko, Err: errors.New("exit status 1")}}
	err := Explain(&plan.Stopped{Err: inner, Name: "cheap1", Route: plan.Anywhere, Droplet: &d, Back: &back})
	msg := err.Error()
	for _, want := range []string{
		"droplet cheap1 (id 7) is active on s-1vcpu-2gb at $0.017860/hour ($12.00/month), the size it installs on; it goes back to s-1vcpu-1gb ($6.00/month)",
		"`mage up cheap1` continues from here and resizes it back",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	if strings.Count(msg, "mage destroy") != 1 || strings.Contains(msg, "mage anywhere") {
		t.Errorf("want one way out and no other way on: %q", msg)
	}
	var ie *anywhere.InstallError
	if !errors.As(err, &ie) {
		t.Error("the install's error is not reachable through the explanation")
	}

	notRebooted := Explain(&plan.Stopped{Err: &infect.NotRebootedError{Host: "203.0.113.7", Login: "root@203.0.113.7", For: time.Hour}, Name: "web1", Route: plan.Infect, Droplet: &d})
	if msg := notRebooted.Error(); !strings.HasPrefix(msg, "nixos-infect finished 1h ago but 203.0.113.7 has not rebooted: reboot it (`ssh root@203.0.113.7 reboot`); droplet cheap1") ||
		strings.Contains(msg, "mage infect") || !strings.Contains(msg, "`mage up web1 -route=infect` continues from here") {
		t.Errorf("a stopped up's infect that did not reboot: %q", msg)
	}

	// A droplet taken back says so before where it is; a droplet on
	// another route is not continued by running the same again.
	refused := Explain(&plan.Stopped{Err: &plan.WentBack{Err: prompt.ErrDeclined.Errorf("not installed"), Name: "cheap1", Size: "s-1vcpu-1gb"},
		Name: "cheap1", Route: plan.Anywhere, Droplet: &d})
	if want := "not installed: answer y to the question, or pass -yes; droplet cheap1 went back to s-1vcpu-1gb; droplet cheap1 (id 7) is active"; !strings.HasPrefix(refused.Error(), want) {
		t.Errorf("got  %s\nwant %s…", refused, want)
	}
	other := Explain(&plan.Stopped{Err: UpOtherRoute("cheap1", "infect", "anywhere", "its host entry"), Name: "cheap1", Route: plan.Anywhere, Droplet: &d})
	if msg := other.Error(); strings.Contains(msg, "continues") || strings.Count(msg, "mage destroy") != 1 || !strings.HasSuffix(msg, "is active on s-1vcpu-2gb at $0.017860/hour ($12.00/month)") {
		t.Errorf("another route: %s", msg)
	}

	infectStop := Explain(&plan.Stopped{Err: errors.New("interrupted"), Name: "web1", Route: plan.Infect})
	if want := "interrupted; no droplet web1 was made; `mage up web1 -route=infect` tries again"; infectStop.Error() != want {
		t.Errorf("got %q\nwant %q", infectStop, want)
	}
}

// up takes the droplet's name first, so its advice names no -name.
func TestExplainUp(t *testing.T) {
	taken := droplets.ErrNameTaken.Errorf("a droplet named theirs (id 5) exists but was not made by this repo")
	if got, want := Explain(taken).Error(), taken.Error()+"; choose another -name"; got != want {
		t.Errorf("Explain = %s, want %s", got, want)
	}
	if got, want := ExplainUp(taken).Error(), taken.Error()+"; choose another name (`mage up <name>`)"; got != want {
		t.Errorf("ExplainUp = %s, want %s", got, want)
	}
	bad := droplets.ErrBadName.Errorf(`invalid droplet name "123"`)
	if got := ExplainUp(bad).Error(); got != bad.Error() {
		t.Errorf("ExplainUp = %s: the command line gives up's example itself", got)
	}
	differs := &droplets.DiffersError{Name: "web", ID: 5, Differences: []droplets.Difference{{Field: "region", Have: "nyc3", Want: "sfo3"}}}
	if got := ExplainUp(differs).Error(); strings.Contains(got, "-name") || !strings.Contains(got, "choose another name") {
		t.Errorf("ExplainUp = %s", got)
	}
	if ExplainUp(nil) != nil {
		t.Error("ExplainUp(nil) != nil")
	}
}
