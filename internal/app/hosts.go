package app

import (
	"cmp"
	"context"
	"fmt"

	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
)

// HostFiles say where a route finds what a host entry holds and where it
// writes the entry. The zero value is the repository's hosts/ and a real
// droplet's files; tests point them elsewhere.
type HostFiles struct {
	Dir    string       // "" = hosts.Dir
	Source hosts.Source // zero = hosts.DefaultSource()
	Repo   hosts.Repo   // zero = hosts.DefaultRepo()
}

func (f HostFiles) dir() string { return cmp.Or(f.Dir, hosts.Dir) }

// install completes in with f's places.
func (f HostFiles) install(in hosts.Install) hosts.Install {
	in.Source = cmp.Or(f.Source, hosts.DefaultSource())
	in.Repo = cmp.Or(f.Repo, hosts.DefaultRepo())
	return in
}

// RecordHost writes the host entry of a droplet that a route has just
// turned into NixOS, copying over c what the install generated there, and
// tells the operator to commit it: from then on the droplet is
// nixosConfigurations.<name> and `mage deploy` keeps it up to date. Every
// route that installs a droplet (anywhere, infect, up) ends with it.
func RecordHost(ctx context.Context, e *Env, c *remote.Client, f HostFiles, in hosts.Install) error {
	entry, err := hosts.Collect(ctx, c, f.install(in))
	if err != nil {
		return fmt.Errorf("%w; the droplet runs NixOS, but has no host entry yet: run the route again to write it", err)
	}
	replaced, err := entry.Write(f.dir())
	if err != nil {
		return err
	}
	verb := "wrote"
	if replaced {
		verb = "replaced"
	}
	fmt.Fprintf(e.Err, "%s the host entry %s/ (%s install of %s):\n", verb, entry.Folder(f.dir()), in.Route, in.Name)
	if err := entry.Describe(e.Err, f.dir()); err != nil {
		return err
	}
	fmt.Fprintf(e.Err, "commit it, so that the flake has nixosConfigurations.%q and `mage deploy` reaches it:\n  git add %s && git commit -m %s\n",
		in.Name, remote.ShellQuote(entry.Folder(f.dir())), remote.ShellQuote("Add host "+in.Name))
	return nil
}

// showHostPlan prints, for a dry run, the host entry the route would write.
func showHostPlan(e *Env, f HostFiles, in hosts.Install) error {
	entry, err := hosts.Plan(f.install(in))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Out, "host entry (written once the droplet runs NixOS; commit it):\n")
	if err := entry.Describe(e.Out, f.dir()); err != nil {
		return err
	}
	if in.Address == "" {
		fmt.Fprintf(e.Out, "  (address: the droplet's public IPv4, once it exists)\n")
	}
	return nil
}
