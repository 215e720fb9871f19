// Package hints holds the words that name the mage targets and their flags:
// what to tell the operator to type. The packages that do the work return
// what happened (errors of a problem.Kind or type); Explain adds the words,
// and the targets in internal/app take their advice and "next:" lines from
// here, so renaming a target or a flag means editing this package only.
//
// A longer run made of steps can say, for each step, what to tell the
// operator if the run stops there with the same functions (DropletLeft …)
// or by passing the step's error through Explain.
package hints

import (
	"fmt"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/cmdline"
	"github.com/Gleipnir-Technology/nixos-systems/internal/plan"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
)

// The targets, as the operator types them.
const (
	Sizes       = "mage sizes"
	Create      = "mage create"
	List        = "mage list"
	Destroy     = "mage destroy"
	Anywhere    = "mage anywhere"
	Infect      = "mage infect"
	BuildImage  = "mage buildImage"
	UploadImage = "mage uploadImage"
	Images      = "mage images"
	DeleteImage = "mage deleteImage"
	Up          = "mage up"
	Deploy      = "mage deploy"
	Sim         = "mage sim"
)

// UpCommand continues an up of the droplet name by route: the one command
// that finishes what a stopped run started.
func UpCommand(name, route string) string {
	if route == "" || route == string(plan.Anywhere) {
		return Up + " " + name
	}
	return fmt.Sprintf("%s %s -route=%s", Up, name, route)
}

// DestroyCommand removes the droplet ref (a name or an ID) without asking.
func DestroyCommand(ref string) string { return Destroy + " " + ref + " -yes" }

// DropletLeft says that a droplet outlived the run that made it, and how to
// get rid of it: ref is its name or ID.
func DropletLeft(ref string) string {
	return fmt.Sprintf("it is still there and billed: see `%s`, remove it with `%s`", List, DestroyCommand(ref))
}

// ImageLeft says that an image import goes on after the run that started it.
func ImageLeft(id int) string {
	return fmt.Sprintf("see `%s`, or remove it with `%s %d -yes`", Images, DeleteImage, id)
}

// AfterCreate is what to do with a droplet that answers SSH at ip, where
// login is the user@ip to log in as.
func AfterCreate(ip, login string) string {
	return fmt.Sprintf("next: %s host=%s    (or: ssh %s)", Anywhere, ip, login)
}

// AfterBuild is what to do with a built image file.
func AfterBuild(path string) string { return fmt.Sprintf("next: %s -file=%s", UploadImage, path) }

// AfterUpload is what to do with an imported custom image.
func AfterUpload(id int) string {
	return fmt.Sprintf("next: %s -image=%d -ipv6=false    (DigitalOcean gives custom-image droplets no IPv6: with IPv6 on it refuses them with 422 \"image is not compatible with ipv6\")", Create, id)
}

// AfterDemo is where someone who watched the demo goes next: the one
// command that makes a NixOS droplet, its plan first.
func AfterDemo() string {
	return fmt.Sprintf("Next, for real: export DIGITALOCEAN_ACCESS_TOKEN, add your public key to digitalocean/authorized_keys, then `%s -dryrun` (the plan and what it costs) and `%s`.",
		UpCommand("web1", ""), UpCommand("web1", ""))
}

// AfterInstall is how to reach a droplet that runs NixOS now, as login (user@ip).
func AfterInstall(login string) string { return "ssh " + login }

// UpOnSmallSizes tells a reader of the sizes that nixos-anywhere's limit
// is the install's, not the droplet's.
const UpOnSmallSizes = "`" + Up + "` installs with nixos-anywhere on a 1 GB size by way of a 2 GB one"

// DryRun titles the command anywhere would have run.
const DryRun = "nixos-anywhere command (not run: -dryrun)"

// NotCreated marks a droplet infect would have made.
const NotCreated = "not created: -dryrun"

// SizeFlag says why up plans a size: the operator asked for it.
const SizeFlag = "-size"

// SimAddrTaken is a simulator that cannot listen on addr.
func SimAddrTaken(addr string, err error) error {
	return fmt.Errorf("serve the simulator on %s: %w; pick another -addr", addr, err)
}

// Timeout is a run's bound as the operator gives it: -timeout=1h.
func Timeout(d time.Duration) string { return "-timeout=" + cmdline.Format(d) }

// SimPortTrap refuses a run whose API is on this machine, as the
// simulator's is, while DROPLET_SSH_PORT is unset, so the wait for SSH
// would use port (the settings') rather than the simulator's simPort until
// its timeout. Setting the variable, even to port, says the port is meant.
func SimPortTrap(port, simPort int) error {
	return fmt.Errorf("DIGITALOCEAN_API_URL is on this machine, as `%s`'s is, but DROPLET_SSH_PORT is not set, "+
		"so SSH would be awaited on port %d until the timeout; simulated droplets answer on the port `%s` printed: "+
		"export DROPLET_SSH_PORT=%d (its default), or DROPLET_SSH_PORT=%d if this API's droplets do answer there", Sim, port, Sim, simPort, port)
}

// SimBannerOnly describes simulated droplets whose SSH port only greets.
const SimBannerOnly = "a banner only (enough for `" + Create + "`)"

// NameWithoutToken is a droplet name given where, without an API token,
// only an address can be used.
func NameWithoutToken(host string) error {
	return fmt.Errorf("%q is not an IP address, and finding a droplet by name needs a DigitalOcean token: export DIGITALOCEAN_ACCESS_TOKEN, or pass host=<ip>", host)
}

// NoAddressYet is a droplet that cannot be logged in to yet.
func NoAddressYet(name string, id int) error {
	return fmt.Errorf("droplet %s (id %d) has no public IPv4 address yet; wait until it is active (`%s`)", name, id, List)
}

// DeployDryRun titles the commands deploy would have run.
func DeployDryRun(atOnce int) string {
	return fmt.Sprintf("commands (not run: -dryrun), the checks once, then one deploy-rs run per host, %d at a time, "+
		"each with `extra-experimental-features = nix-command flakes` added to NIX_CONFIG for the nix commands deploy-rs runs", atOnce)
}

// NoHosts is a deploy with no host entries to deploy.
func NoHosts(dir string) error {
	return fmt.Errorf("no hosts in %s/ yet: `%s` and `%s` write one for each droplet they install", dir, Anywhere, Infect)
}

// CommitHost is what to do with a host entry just written.
func CommitHost(folder, name string) string {
	return fmt.Sprintf("commit it, so that the flake has nixosConfigurations.%q and `%s` reaches it:\n  git add %s && git commit -m %s",
		name, Deploy, remote.ShellQuote(folder), remote.ShellQuote("Add host "+name))
}

// HostEntryByHand is how to get the host entry a route failed to write.
const HostEntryByHand = "write it by hand, as README.md shows under \"Hosts and deploys\""

// BadRoute is a -route that names no route.
func BadRoute(err error) error { return fmt.Errorf("-route: %w", err) }

// UpMismatch is a flag asking an existing droplet to be other than it is.
func UpMismatch(name, flag, is, asked string) error {
	return fmt.Errorf("droplet %s exists with %s %s, not -%s=%s: drop -%s, or give another name", name, flag, is, flag, asked, flag)
}

// UpOtherRoute is a droplet that shows, by why, that it is on route have,
// while up was to take it by route asked.
func UpOtherRoute(name, have, asked, why string) error {
	return plan.ErrOtherRoute.Errorf("droplet %s is on route %s (%s), not %s: run `%s`, or remove it with `%s` to start again",
		name, have, why, asked, UpCommand(name, have), DestroyCommand(name))
}

// NotMadeForInfect is a droplet up was to take by route infect that was
// not made with the user data that runs nixos-infect (such as one `mage
// create` made): it has neither tag, nor the install's status file.
func NotMadeForInfect(name, tag, status string) error {
	return plan.ErrOtherRoute.Errorf("droplet %s was not made for route infect (it has no tag %s and no %s): nixos-infect runs only from the user data a droplet is created with, which `%s` does not give; "+
		"run `%s` (nixos-anywhere), or remove it with `%s` and run `%s` for a new one",
		name, tag, status, Create, UpCommand(name, ""), DestroyCommand(name), UpCommand(name, "infect"))
}

// OnDetour warns of droplet name, on size at monthly, that an up left on
// the size it installs on: its tag says it goes back to back.
func OnDetour(name, size string, monthly float64, back string) string {
	tag, _ := plan.ReturnTag(back)
	return fmt.Sprintf("warning: droplet %s is on %s ($%0.2f/month) for an install, and goes back to %s (its tag %s): `%s` resizes it back, or `%s` removes it",
		name, size, monthly, back, tag, UpCommand(name, ""), DestroyCommand(name))
}
