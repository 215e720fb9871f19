package app

import (
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hints"
	"github.com/Gleipnir-Technology/nixos-systems/internal/poll"
)

// Demo runs sizes, create, list and destroy against an in-process simulator,
// printing what each real command prints, for someone with no account yet.
func Demo(ctx context.Context, e *Env) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	// The droplet create makes must let one of the operator's keys in, as
	// on a real account: theirs go on the simulated one, or, on a machine
	// without one, a throwaway key stands in.
	keys, kerr := simKeys(e.Settings.SSHIdentity)
	if kerr != nil {
		path, err := throwawayKey()
		if err != nil {
			return fmt.Errorf("make a throwaway SSH key for the demo: %w", err)
		}
		defer os.RemoveAll(filepath.Dir(path))
		e.Settings.SSHIdentity = path
		if keys, err = simKeys(path); err != nil {
			return err
		}
		fmt.Fprintf(e.Err, "demo: no SSH key of yours to log in with (%v), so a throwaway key stands in; `%s` refuses to make a droplet without one\n", kerr, hints.Create)
	}
	sim := dosim.New(dosim.Options{BootTime: 3 * time.Second, NetworkDelay: time.Second, SSHDelay: time.Second, SSHPort: port, SeedKey: keys[0]})
	defer sim.Close()
	if err := addSimKeys(sim, keys); err != nil {
		return err
	}
	srv := httptest.NewServer(sim)
	defer srv.Close()
	c, err := doapi.New(dosim.DefaultToken, doapi.Options{BaseURL: srv.URL, Log: e.Err})
	if err != nil {
		return err
	}
	e.Client = c
	e.Wait = droplets.WaitOptions{SSHPort: port, Pace: poll.Pace{Log: e.Err}}
	// The simulated account has none of the operator's own projects; it
	// has their keys, and the droplet gets them all.
	e.Settings.Project, e.Settings.SSHKeys = "", nil
	fmt.Fprintf(e.Err, "demo: a DigitalOcean simulator runs at %s; nothing here touches a real account\n", srv.URL)

	steps := []struct {
		cmd string
		run func() error
	}{
		{hints.Sizes, func() error { return Sizes(ctx, e, "", false) }},
		{hints.Create, func() error { return Create(ctx, e, Overrides{}, false) }},
		{hints.List, func() error { return List(ctx, e, false) }},
		{hints.DestroyCommand(e.Settings.Name), func() error { return Destroy(ctx, e, e.Settings.Name, true, false) }},
		{hints.List, func() error { return List(ctx, e, false) }},
	}
	for _, s := range steps {
		fmt.Fprintf(e.Out, "\n$ %s\n", s.cmd)
		if err := s.run(); err != nil {
			return fmt.Errorf("demo step %q: %w", s.cmd, err)
		}
	}
	fmt.Fprintf(e.Out, "\n%s\n%s\n", strings.Repeat("-", 60), hints.AfterDemo())
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port for the simulated SSH endpoints: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
