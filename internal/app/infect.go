package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/anywhere"
	"github.com/Gleipnir-Technology/nixos-systems/internal/authkeys"
	"github.com/Gleipnir-Technology/nixos-systems/internal/display"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hints"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/infect"
	"github.com/Gleipnir-Technology/nixos-systems/internal/plan"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/steps"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

// InfectOptions are the flags of the infect target, and what tests point
// elsewhere. The zero value suits a real droplet.
type InfectOptions struct {
	Overrides // as for create; Size defaults to INFECT_SIZE, Timeout bounds the wait for the new droplet's SSH

	Template string       // user data template; "" = infect.TemplateFile
	KeysFile string       // root's authorized keys; "" = authkeys.File
	Paths    infect.Paths // where the droplet keeps the install's traces; zero = infect.DefaultPaths()
	Units    string       // on the droplet: systemd's state and failed units as verify asks for them, read instead of asking; "" = ask
	LogDir   string       // where the logs of a failed install are copied; "" = the current directory

	Host   HostFiles // where the host entry's files come from; zero = the droplet's
	DryRun bool      // check the droplet against the API and show the user data and host entry; create nothing

	Install time.Duration // how long the install may take, reboot included; 0 = InstallTimeout
	Reboot  time.Duration // how long the droplet may stay unreachable; 0 = 10m
	Poll    time.Duration // state checks and SSH probes; 0 = 5s
}

// InstallTimeout is how long an infect install may take, its reboot
// included, unless told otherwise.
const InstallTimeout = 45 * time.Minute

func (o *InfectOptions) defaults() {
	if o.Template == "" {
		o.Template = infect.TemplateFile
	}
	if o.KeysFile == "" {
		o.KeysFile = authkeys.File
	}
	if o.Paths == (infect.Paths{}) {
		o.Paths = infect.DefaultPaths()
	}
	o.Install = cmp.Or(o.Install, InstallTimeout)
}

// Infect creates a droplet whose user data installs NixOS over its stock
// image with nixos-infect, follows the install over SSH through its reboot,
// and checks that the droplet came back as NixOS with its addresses. The
// user data is made and checked before anything is created. When the
// install fails, its logs are copied into a local file.
func Infect(ctx context.Context, e *Env, o InfectOptions) (err error) {
	defer explain(&err)
	o.defaults()
	ssh, err := e.SSHConfig()
	if err != nil {
		return err
	}
	ud, err := infectUserData(e, o)
	if err != nil {
		return err
	}
	spec := e.Spec(o.Overrides)
	if o.Size == nil {
		spec.Size = e.Settings.InfectSize
	}
	spec.UserData = ud
	spec.Tags = slices.Concat(spec.Tags, []string{infect.Tag})

	login, err := loginOf(ssh)
	if err != nil {
		return err
	}
	if o.DryRun {
		return infectDryRun(ctx, e, o, spec, login)
	}

	checked, err := droplets.Check(ctx, e.dropletAPI(), spec)
	if err != nil {
		return err
	}
	checked.Login = login
	r := &routeRun{
		e: e, ssh: ssh, name: spec.Name, reports: e.Out, infect: o, host: o.Host,
		files: anywhere.Files{OSRelease: o.Paths.OSRelease, Units: o.Units},
	}
	if err := runSteps(ctx, e, []steps.Step[*routeRun]{stepCreate(checked, o.Timeout), stepFollowInfect(), stepVerify(plan.Infect)}, r); err != nil {
		return err
	}
	fmt.Fprintf(e.Err, "droplet %s runs NixOS: %s\n", r.d.Name, hints.AfterInstall(ssh.Login(r.ip())))
	if err := runSteps(ctx, e, []steps.Step[*routeRun]{stepRecordHost(plan.Infect)}, r); err != nil {
		return err
	}
	row := droplets.Describe(*r.d, e.Now())
	row.Host = true
	return e.print(false, display.Droplet(row, e.Now()))
}

// infectDryRun checks spec against the API, as Provision would before
// creating, and shows what the run would make: the droplet, its user data
// and the host entry; then refuses, as the run would, a new droplet that
// none of login's keys could log in to (of one that exists, it warns).
func infectDryRun(ctx context.Context, e *Env, o InfectOptions, spec droplets.Spec, login droplets.Login) error {
	api := e.dropletAPI()
	plan, err := droplets.Check(ctx, api, spec)
	if err != nil {
		return err
	}
	plan.Login = login
	existing, err := droplets.FindOwn(ctx, api, plan.Name)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Out, "droplet %s (%s): %s in %s, image %s, IPv6 %t, $%0.2f/month, %d bytes of user data running nixos-infect %.12s\n",
		plan.Name, hints.NotCreated, plan.Size.Slug, plan.Region, spec.Image, plan.IPv6, plan.Size.PriceMonthly, len(spec.UserData), infect.Commit)
	if err := showHostPlan(e, o.Host, hosts.Install{Name: plan.Name, Route: hosts.Infect, StateVersion: infect.StateVersion}); err != nil {
		return err
	}
	if existing != nil {
		droplets.WarnLogin(ctx, api, plan, e.Err)
		return nil
	}
	return droplets.CheckLogin(ctx, api, plan)
}

// infectUserData renders the user data that runs nixos-infect, with the
// keys root gets, and says what went into it; o has its defaults.
func infectUserData(e *Env, o InfectOptions) (string, error) {
	keys, err := authkeys.Read(o.KeysFile)
	if err != nil {
		return "", err
	}
	ud, err := infect.Render(o.Template, infect.Input{Channel: e.Settings.InfectChannel, Keys: keys.Lines(), Paths: o.Paths})
	if err != nil {
		return "", err
	}
	fmt.Fprintf(e.Err, "user data: %d bytes; nixos-infect %.12s (sha256 %.12s…), channel %s, %d key(s) from %s\n",
		len(ud), infect.Commit, infect.ScriptSHA256, e.Settings.InfectChannel, len(keys), o.KeysFile)
	return ud, nil
}

// infectFailed copies the install's logs into a local file, says where,
// and returns cause with that path. c is a client to the droplet, or nil
// to log in anew. The droplet is left as it is, to be looked at, and the
// error, a *droplets.StrandedError, says it is still there.
func infectFailed(ctx context.Context, e *Env, o InfectOptions, d *godo.Droplet, ssh remote.Config, c *remote.Client, cause error) error {
	failure := fmt.Errorf("infect droplet %s (id %d): %w", d.Name, d.ID, cause)
	stranded := func(err error) error { return &droplets.StrandedError{Name: d.Name, ID: d.ID, Err: err} }
	if errors.Is(cause, context.Canceled) {
		// Interrupted: the operator wants out, not logs.
		return stranded(failure)
	}
	// The install's own deadline may be what failed; copying gets a bound of its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	ip, _ := d.PublicIPv4()
	if c == nil {
		var err error
		if c, err = remote.Dial(ctx, ip, ssh); err != nil {
			fmt.Fprintf(e.Err, "could not log in to copy the install logs (%v); the droplet's recovery console shows its screen, where the log was written too: %s\n", err, verify.RecoveryConsoleURL)
			return stranded(failure)
		}
		defer c.Close()
	}
	path := filepath.Join(o.LogDir, fmt.Sprintf("infect-%s-%s.log", d.Name, e.Now().UTC().Format("20060102-150405")))
	n, err := writeInfectLogs(ctx, c, o.Paths, path, fmt.Sprintf("# install logs of droplet %s (id %d, %s), copied after: %v\n\n", d.Name, d.ID, ip, cause))
	if err != nil {
		fmt.Fprintf(e.Err, "copying the install logs to %s: %v\n", path, err)
		if n == 0 {
			return stranded(failure)
		}
	}
	fmt.Fprintf(e.Err, "copied %d install log file(s) from %s to %s\n", n, d.Name, path)
	return stranded(fmt.Errorf("%w; logs in %s", failure, path))
}

// writeInfectLogs writes header and the install's logs to a new file at path.
func writeInfectLogs(ctx context.Context, c *remote.Client, p infect.Paths, path, header string) (int, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, err
	}
	if _, err := f.WriteString(header); err != nil {
		f.Close()
		return 0, err
	}
	n, err := infect.Collect(ctx, c, p, f)
	return n, errors.Join(err, f.Close())
}
