package app

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"

	"github.com/Gleipnir-Technology/nixos-systems/internal/display"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hints"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
)

// HostFiles say where a route finds what a host entry holds. The zero
// value is a real droplet's files and the repository's; tests point them
// elsewhere.
type HostFiles struct {
	Source hosts.Source // zero = hosts.DefaultSource()
	Repo   hosts.Repo   // zero = hosts.DefaultRepo()
}

// install completes in with f's places.
func (f HostFiles) install(in hosts.Install) hosts.Install {
	in.Source = cmp.Or(f.Source, hosts.DefaultSource())
	in.Repo = cmp.Or(f.Repo, hosts.DefaultRepo())
	return in
}

// RecordHost writes the host entry of a droplet that a route has just
// turned into NixOS, copying over c what the install generated there, and
// tells the operator to commit it: from then on the droplet is
// nixosConfigurations.<name>, and deploys keep it up to date. Every route
// that installs a droplet (anywhere, infect, up) ends with it.
func RecordHost(ctx context.Context, e *Env, c *remote.Client, f HostFiles, in hosts.Install) error {
	entry, err := hosts.Collect(ctx, c, f.install(in))
	if err != nil {
		return fmt.Errorf("%w; the droplet runs NixOS but has no host entry yet: %s", err, hints.HostEntryByHand)
	}
	replaced, err := entry.Write(e.hostsDir())
	if err != nil {
		return err
	}
	verb := "wrote"
	if replaced {
		verb = "replaced"
	}
	fmt.Fprintf(e.Err, "%s the host entry %s/ (%s install of %s):\n", verb, entry.Folder(e.hostsDir()), in.Route, in.Name)
	if err := entry.Describe(e.Err, e.hostsDir()); err != nil {
		return err
	}
	fmt.Fprintln(e.Err, hints.CommitHost(entry.Folder(e.hostsDir()), in.Name))
	return nil
}

// showHostPlan prints, for a dry run, the host entry the route would write.
func showHostPlan(e *Env, f HostFiles, in hosts.Install) error {
	entry, err := hosts.Plan(f.install(in))
	if err != nil {
		return err
	}
	return e.print(false, display.HostEntry(entry, e.hostsDir()))
}

// markHosts sets Host on the droplets that have a host entry, and warns
// about an entry whose address is not its droplet's, which deploys would
// miss; with orphans, also about entries that no droplet of this repo has
// (destroyed?), whose deploys would fail.
func markHosts(e *Env, ds []droplets.Droplet, orphans bool) {
	hs, err := hosts.Load(e.hostsDir())
	if err != nil {
		fmt.Fprintf(e.Err, "warning: host entries not read: %v\n", err)
		return
	}
	byName := map[string]hosts.Host{}
	for _, h := range hs {
		byName[h.Name] = h
	}
	for i := range ds {
		h, ok := byName[ds[i].Name]
		if !ok {
			continue
		}
		ds[i].Host = true
		delete(byName, h.Name)
		if h.Address != ds[i].IPv4 && ds[i].IPv4 != "" {
			fmt.Fprintf(e.Err, "warning: %s records the address %s, but droplet %s is at %s: deploys would go to the old address; correct \"address\" in its %s\n",
				filepath.Join(e.hostsDir(), h.Name), h.Address, h.Name, ds[i].IPv4, hosts.MetaFile)
		}
	}
	if orphans {
		for _, h := range hs {
			if _, gone := byName[h.Name]; gone {
				fmt.Fprintf(e.Err, "warning: %s is a host, but this repo has no droplet named %s (destroyed?): remove the folder, or deploys to it fail\n", filepath.Join(e.hostsDir(), h.Name), h.Name)
			}
		}
	}
}
