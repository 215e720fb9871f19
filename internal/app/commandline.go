package app

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/cmdline"
	"github.com/Gleipnir-Technology/nixos-systems/internal/deploy"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hints"
	"github.com/Gleipnir-Technology/nixos-systems/internal/images"
	"github.com/Gleipnir-Technology/nixos-systems/internal/plan"
)

// CommandLine is what every target accepts on the command line: the one
// place where flag values are checked. magefiles/cmdline.go checks each
// command line against it before mage runs a target, so a value that cannot
// be right never reaches DigitalOcean. `mage -h <target>` shows the same
// flags with the same bounds; the end-to-end tests hold the two together
// and try every class of bad value on every flag of every target.
// The targets that make, wait on or install droplets, or run nix or
// deploy-rs, refuse mage's own -t (cmdline.Target.RefuseMageTimeout):
// mage would exit the moment it passed, leaving what they started running
// and their report unsaid.
var CommandLine = cmdline.Targets{
	{Name: "sizes", Flags: []cmdline.Flag{
		{Name: "region", Value: regionFlag},
		{Name: "json", Value: cmdline.Bool{}},
	}},
	{Name: "create", RefuseMageTimeout: true, Flags: append(overrideFlags("DROPLET_SIZE"),
		cmdline.Flag{Name: "json", Value: cmdline.Bool{}},
	)},
	{Name: "list", Flags: []cmdline.Flag{
		{Name: "json", Value: cmdline.Bool{}},
	}},
	{Name: "destroy", Args: []cmdline.Arg{dropletArg}, Flags: []cmdline.Flag{
		{Name: "yes", Value: cmdline.Bool{}},
		{Name: "force", Value: cmdline.Bool{}},
	}},
	{Name: "anywhere", Args: []cmdline.Arg{hostArg}, RefuseMageTimeout: true, Flags: []cmdline.Flag{
		{Name: "force", Value: cmdline.Bool{}},
		{Name: "yes", Value: cmdline.Bool{}},
		{Name: "dryrun", Value: cmdline.Bool{}},
		{Name: "timeout", Value: wait(AnywhereTimeout)},
	}},
	{Name: "buildImage", RefuseMageTimeout: true, Flags: []cmdline.Flag{
		{Name: "remote", Value: cmdline.Bool{}},
	}},
	{Name: "uploadImage", RefuseMageTimeout: true, Flags: []cmdline.Flag{
		{Name: "file", Value: cmdline.Text{What: "an image file", Default: "the newest in images/", Example: "images/nixos.qcow2.gz"}},
		{Name: "name", Value: cmdline.Text{What: "an image name", Default: "the file name without .qcow2.gz", Example: "nixos-25.11", Check: images.CheckName}},
		{Name: "timeout", Value: wait(images.ImportTimeout)},
	}},
	{Name: "images", Flags: []cmdline.Flag{
		{Name: "json", Value: cmdline.Bool{}},
	}},
	{Name: "deleteImage", Args: []cmdline.Arg{imageIDArg}, Flags: []cmdline.Flag{
		{Name: "yes", Value: cmdline.Bool{}},
		{Name: "force", Value: cmdline.Bool{}},
	}},
	{Name: "infect", RefuseMageTimeout: true, Flags: append(overrideFlags("INFECT_SIZE"),
		cmdline.Flag{Name: "install", Value: wait(InstallTimeout)},
		cmdline.Flag{Name: "dryrun", Value: cmdline.Bool{}},
	)},
	{Name: "sim", Flags: []cmdline.Flag{
		{Name: "addr", Value: cmdline.Text{What: "a host:port to listen on", Default: SimAddr, Example: SimAddr, Check: hostPort(0)}},
		{Name: "sshport", Value: cmdline.Int{Min: 1, Max: 65535, Default: SimSSHPort}},
		{Name: "ssh", Value: cmdline.Text{What: "the host:port of an sshd", Default: "none (banner only)", Example: "127.0.0.1:22", Check: hostPort(1)}},
		// Zero means droplets active at once; an hour is far beyond any
		// real droplet's boot.
		{Name: "boot", Value: cmdline.Duration{Min: 0, Max: time.Hour, Default: SimBoot}},
	}},
	{Name: "demo"},
	{Name: "up", Args: []cmdline.Arg{upNameArg}, RefuseMageTimeout: true, Flags: []cmdline.Flag{
		{Name: "route", Value: cmdline.Text{What: "a route to NixOS (anywhere or infect)", Default: string(plan.Anywhere), Example: string(plan.Infect), Check: func(s string) error {
			_, err := plan.ParseRoute(s)
			return err
		}}},
		{Name: "size", Value: sizeFlag("the cheapest in the region that carries the route")},
		{Name: "region", Value: regionFlag},
		{Name: "ipv6", Value: cmdline.Bool{}},
		{Name: "yes", Value: cmdline.Bool{}},
		{Name: "timeout", Value: wait(UpTimeout)},
		{Name: "dryrun", Value: cmdline.Bool{}},
		{Name: "json", Value: cmdline.Bool{}},
	}},
	{Name: "deploy", RefuseMageTimeout: true, Flags: []cmdline.Flag{
		{Name: "hosts", Value: cmdline.Text{What: "host names, separated by commas", Default: "every host", Example: "web1,web2", Check: checkHostNames}},
		{Name: "dryrun", Value: cmdline.Bool{}},
		// Each deploy runs nix and ssh of its own: more at once than this
		// is a typo (400 for 4), not a plan.
		{Name: "parallel", Value: cmdline.Int{Min: 1, Max: 64, Default: deploy.DefaultWorkers}},
		{Name: "skipchecks", Value: cmdline.Bool{}},
	}},
}

// wait is the flag of a wait whose default is def. A wait of under a second
// is a typo (ms for s, or a missing unit's guess) and ends before anything
// can answer; six times the default is where a healthy run is long over,
// and a longer bound (-timeout=1000h) is a typo too, and would keep a stuck
// run, and what it bills, going unwatched.
func wait(def time.Duration) cmdline.Duration {
	return cmdline.Duration{Min: time.Second, Max: 6 * def, Default: def}
}

// regionFlag is -region, of sizes and of the droplet-making targets.
var regionFlag = cmdline.Text{What: "a region slug (`" + hints.Sizes + "` shows the sizes of each)", Default: "DROPLET_REGION", Example: "sfo3"}

// sizeFlag is -size of the droplet-making targets, whose default is def.
func sizeFlag(def string) cmdline.Text {
	return cmdline.Text{What: "a size slug (`" + hints.Sizes + "` lists them)", Default: def, Example: "s-1vcpu-2gb"}
}

// overrideFlags are the flags of Overrides, which the droplet-making
// targets share; sizeKey is the setting -size defaults to.
func overrideFlags(sizeKey string) []cmdline.Flag {
	return []cmdline.Flag{
		{Name: "name", Value: cmdline.Text{What: "a droplet name", Default: "DROPLET_NAME", Example: "web1", Check: droplets.CheckName}},
		{Name: "size", Value: sizeFlag(sizeKey)},
		{Name: "region", Value: regionFlag},
		{Name: "image", Value: cmdline.Text{What: "an image slug or custom image ID", Default: "DROPLET_IMAGE", Example: "debian-12-x64"}},
		{Name: "ipv6", Value: cmdline.Bool{}},
		{Name: "timeout", Value: wait(droplets.ReadyTimeout)},
	}
}

// The positional arguments.
var (
	dropletArg = cmdline.Arg{Name: "droplet", What: "a droplet name or ID", Example: "web1", Check: explained(droplets.CheckRef)}
	upNameArg  = cmdline.Arg{Name: "name", What: "a droplet name", Example: "web1", Check: func(s string) error { return hints.ExplainUp(droplets.CheckName(s)) }}
	hostArg    = cmdline.Arg{Name: "host", What: "an IPv4 address or a droplet name", Example: "host=203.0.113.7", Check: checkHost}
	imageIDArg = cmdline.Arg{Name: "id", What: "an image ID", Example: "192948683", Check: func(s string) error {
		_, err := images.ParseID(s)
		return hints.Explain(err)
	}}
)

// explained is check with the advice hints gives about its errors.
func explained(check func(string) error) func(string) error {
	return func(s string) error { return hints.Explain(check(s)) }
}

// hostPort checks a host:port whose port is at least minPort (0 for a
// listen address: any free port).
func hostPort(minPort int) func(string) error {
	return func(s string) error {
		host, port, err := net.SplitHostPort(s)
		if err != nil {
			return fmt.Errorf("%q is not host:port", s)
		}
		if host == "" && minPort > 0 {
			return fmt.Errorf("%q names no host", s)
		}
		if p, err := strconv.Atoi(port); err != nil || p < minPort || p > 65535 {
			return fmt.Errorf("%q has port %q, not a number from %d to 65535", s, port, minPort)
		}
		return nil
	}
}
