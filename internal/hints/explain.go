package hints

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/Gleipnir-Technology/nixos-systems/internal/anywhere"
	"github.com/Gleipnir-Technology/nixos-systems/internal/deploy"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/images"
	"github.com/Gleipnir-Technology/nixos-systems/internal/infect"
	"github.com/Gleipnir-Technology/nixos-systems/internal/plan"
	"github.com/Gleipnir-Technology/nixos-systems/internal/problem"
	"github.com/Gleipnir-Technology/nixos-systems/internal/prompt"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

// kinds maps each kind of failure to what the operator can do about it.
// Every phrase starts with how it joins the message before it.
var kinds = map[*problem.Kind]string{
	droplets.ErrBadName:           " (e.g. -name=web1)",
	droplets.ErrNameTaken:         "; choose another -name",
	droplets.ErrRegionClosed:      "; pick another -region",
	droplets.ErrUnknownSize:       ": run `" + Sizes + "` for valid slugs, e.g. -size=s-1vcpu-2gb",
	droplets.ErrSizeNotInRegion:   "; run `" + Sizes + "` for the sizes that are, or pick another -region",
	droplets.ErrUnknownImage:      ": use a slug such as debian-12-x64 (`doctl compute image list-distribution`) or a custom image ID from `" + Images + "`",
	droplets.ErrImageNotReady:     "; wait for its import (`" + Images + "`) or pick another",
	droplets.ErrImageNotInRegion:  "; pick one of those with -region, or transfer the image",
	droplets.ErrImageTooBig:       "; pick a larger -size",
	droplets.ErrNoSuchDroplet:     "; `" + List + "` shows this repo's droplets",
	droplets.ErrDeleteUnconfirmed: "; check `" + List + "` later",
	images.ErrNoImageFile:         ": build one with `" + BuildImage + "`, or pass -file=<path>",
	images.ErrNoKVM:               ", or pass -remote if a Nix remote builder with the kvm feature builds it",
	images.ErrNoSuchImage:         ": `" + Images + "` lists this repo's images",
	images.ErrImportUnknown:       ": check `" + Images + "` before retrying",
	images.ErrImportGone:          "; import it again with `" + UploadImage + "`",
	images.ErrImportFailed:        ", then run `" + UploadImage + "` again",
	prompt.ErrDeclined:            ": answer y to the question, or pass -yes",
	verify.ErrDegraded:            "; the system is up, so the run goes on and records the host: fix what failed in the flake and bring the host to it with `" + Deploy + "`",
}

// upKinds are the words for kinds whose advice names -name, which `up`
// does not have: it takes the droplet's name first. Its command line
// gives the example of a good name itself.
var upKinds = map[*problem.Kind]string{
	droplets.ErrBadName:   "",
	droplets.ErrNameTaken: "; choose another name (`" + Up + " <name>`)",
}

// phrase is what to add for err itself (not what it wraps), or ""; inUp
// gives the words of `up`.
func phrase(err error, inUp bool) string {
	if err == droplets.ErrCustomImageIPv6 {
		return "; create it with -ipv6=false, or keep IPv6 with a stock image and `" + Anywhere + "` or `" + Infect + "`"
	}
	switch e := err.(type) {
	case *problem.Kind:
		if p, ok := upKinds[e]; ok && inUp {
			return p
		}
		return kinds[e]
	case *problem.Overridable:
		if e.Overridden {
			return " (going on: -force)"
		}
		return "; pass -force to " + e.Action
	case *droplets.StrandedError:
		if e.Maybe {
			return "; check `" + List + "` before retrying"
		}
		ref := e.Name
		if ref == "" {
			ref = strconv.Itoa(e.ID)
		}
		if e.Unfinished {
			return "; run the same target again to finish it, or remove it with `" + DestroyCommand(ref) + "`"
		}
		return "; " + DropletLeft(ref)
	case *droplets.DiffersError:
		var flags []string
		for _, d := range e.Differences {
			flags = append(flags, "-"+d.Field+"="+d.Have)
		}
		another := "choose another -name"
		if inUp {
			another = "choose another name"
		}
		return fmt.Sprintf("; these are not changed in place: ask for what it has (%s), %s, or remove it with `%s` and run again",
			strings.Join(flags, " "), another, DestroyCommand(e.Name))
	case *images.StillImportingError:
		return "; " + ImageLeft(e.ID)
	case *anywhere.TooSmallError:
		if len(e.Fitting) == 0 {
			return fmt.Sprintf("; resize the droplet to a size of at least %d MB (`%s` lists them)", e.MinMB, Sizes)
		}
		return fmt.Sprintf("; resize the droplet, or make one with `%s -size=%s`; sizes that fit: %s", Create, e.Fitting[0], strings.Join(e.Fitting, ", "))
	case *anywhere.ThisMachineError:
		return "; run it from another machine, at a real droplet: a droplet of `" + Sim + "` whose SSH -ssh=… forwards here is for `" + Create + "` and the dry runs only (no flag lifts this, not even -force)"
	case *deploy.ThisMachineError:
		return fmt.Sprintf("; correct the address in %s, or leave the host out with -hosts=…; a host that is this machine deploys from another one (no flag lifts this)", e.Entry)
	case *anywhere.InstallError:
		var p string
		switch {
		case e.BuildFailed():
			p = ", so fix what the errors say, or give Nix a builder for x86_64-linux, and run `" + Anywhere + "` again"
		case e.Phase == anywhere.PhaseDisko:
			p = ", so run `" + Anywhere + "` again to retry"
		case e.Phase == anywhere.PhaseInstall:
			p = ", so fix the configuration and run `" + Anywhere + "` again"
		}
		if errors.Is(e.Err, context.DeadlineExceeded) {
			p += "; -timeout allows it longer"
		}
		return p
	case *hosts.UnknownError:
		return ": name hosts of hosts/ in -hosts, or leave -hosts out to deploy them all; `" + Anywhere + "` and `" + Infect + "` add hosts"
	case *deploy.Error:
		return "; see each host's lines above: a host whose deploy failed runs what it ran before (deploy-rs rolled it back), the others keep the new system"
	case *plan.WentBack:
		return fmt.Sprintf("; droplet %s went back to %s", e.Name, e.Size)
	case *plan.Stopped:
		return "; " + upWhere(e)
	case *remote.AuthError:
		return " (`" + Create + "` uses DROPLET_SSH_KEYS)"
	case *infect.NotRebootedError:
		return rebootIt(e) + ", then run `" + Infect + "` again to check it"
	}
	return ""
}

// rebootIt says how to reboot a droplet that finished its install.
func rebootIt(e *infect.NotRebootedError) string {
	return fmt.Sprintf(": reboot it (`ssh %s reboot`)", e.Login)
}

// Explain returns err with what the operator can do about it, in the words
// of the targets, or err itself when there is nothing to add. The advice
// for everything err wraps is added once, innermost first; errors.Is and
// errors.As see through the result, and explaining it again adds nothing.
func Explain(err error) error {
	var stopped *plan.Stopped
	return explainIn(err, errors.As(err, &stopped))
}

// ExplainUp is Explain in the words of `up`, for what up returns and the
// checks of its command line.
func ExplainUp(err error) error { return explainIn(err, true) }

// explainIn explains err, in the words of `up` when inUp.
func explainIn(err error, inUp bool) error {
	if err == nil {
		return nil
	}
	var said []string
	// A stopped up says itself where its droplet is, how to go on (not
	// with the anywhere or infect target) and how to remove it.
	walk(err, func(e error) {
		p := phrase(e, inUp)
		if inUp {
			switch e := e.(type) {
			case *droplets.StrandedError, *anywhere.InstallError:
				return
			case *infect.NotRebootedError:
				p = rebootIt(e)
			}
		}
		if p != "" && !slices.Contains(said, p) {
			said = append(said, p)
		}
	})
	if len(said) == 0 {
		return err
	}
	return &explained{err: err, msg: err.Error() + strings.Join(said, "")}
}

// explained is an error with its advice.
type explained struct {
	err error
	msg string
}

func (e *explained) Error() string { return e.msg }
func (e *explained) Unwrap() error { return e.err }

// walk calls visit on everything err wraps, then on err itself, skipping
// what was explained already.
func walk(err error, visit func(error)) {
	if _, done := err.(*explained); done {
		return
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		if inner := u.Unwrap(); inner != nil {
			walk(inner, visit)
		}
	case interface{ Unwrap() []error }:
		for _, inner := range u.Unwrap() {
			if inner != nil {
				walk(inner, visit)
			}
		}
	}
	visit(err)
}

// upWhere says where a stopped up left its droplet, what it costs there,
// the one command that finishes the job and the one that removes it.
func upWhere(e *plan.Stopped) string {
	again := UpCommand(e.Name, string(e.Route))
	d := e.Droplet
	switch {
	case d == nil && e.Unread != nil:
		return fmt.Sprintf("droplet %s could not be read (%v): `%s` shows it if it was made; `%s` continues", e.Name, e.Unread, List, again)
	case d == nil:
		return fmt.Sprintf("no droplet %s was made; `%s` tries again", e.Name, again)
	}
	where := fmt.Sprintf("droplet %s (id %d) is %s on %s at $%0.6f/hour ($%0.2f/month)", d.Name, d.ID, d.Status, d.Size, d.PriceHourly, d.PriceMonthly)
	if errors.Is(e.Err, plan.ErrOtherRoute) {
		return where // the refusal itself says what to run
	}
	var here *anywhere.ThisMachineError
	if errors.As(e.Err, &here) {
		return where + "; " + DropletLeft(d.Name) // running up again would refuse again
	}
	finish := fmt.Sprintf("`%s` continues from here", again)
	if e.Back != nil {
		where += fmt.Sprintf(", the size it installs on; it goes back to %s ($%0.2f/month)", e.Back.Slug, e.Back.PriceMonthly)
		finish += " and resizes it back"
	}
	return where + "; " + finish + "; " + DropletLeft(d.Name)
}
