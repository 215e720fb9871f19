// Package app holds what each mage target does, so the magefiles stay a thin
// layer of argument parsing and the behaviour is testable with `go test`.
package app

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/display"
	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hints"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/images"
	"github.com/Gleipnir-Technology/nixos-systems/internal/poll"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/settings"
)

// Env is what a target runs with: settings, an API client and where to talk.
// Data goes to Out, progress and logs to Err.
type Env struct {
	Settings settings.Settings
	Client   *godo.Client
	Out      io.Writer
	Err      io.Writer
	In       io.Reader
	Now      func() time.Time
	Wait     droplets.WaitOptions // pacing of waits; tests shorten it
	HostsDir string               // the host entries; "" = hosts.Dir, beside the flake
	// SimPortTrap says the API is on this machine, as the simulator's is,
	// while SSH would be awaited on port 22; see simPortTrap. Targets that
	// wait for SSH refuse it (checkSSHPort).
	SimPortTrap bool
}

// hostsDir is where the host entries are.
func (e *Env) hostsDir() string { return cmp.Or(e.HostsDir, hosts.Dir) }

// Local builds the Env of a target run by a user, without an API client:
// the settings file and the environment.
func Local() (*Env, error) {
	s, err := settings.Load(settings.DefaultFile, os.Getenv)
	if err != nil {
		return nil, err
	}
	return &Env{
		Settings: s,
		Out:      os.Stdout, Err: os.Stderr, In: os.Stdin,
		Now:  time.Now,
		Wait: droplets.WaitOptions{SSHPort: s.SSHPort, Pace: poll.Pace{Log: os.Stderr}},
	}, nil
}

// FromOS is Local plus a client holding the token found the way doctl finds it.
func FromOS() (*Env, error) {
	e, err := Local()
	if err != nil {
		return nil, err
	}
	tok, err := doapi.Token(os.Getenv)
	if err != nil {
		return nil, err
	}
	apiURL := doapi.URLFromEnv(os.Getenv)
	if e.Client, err = doapi.New(tok, doapi.Options{BaseURL: apiURL, Log: os.Stderr}); err != nil {
		return nil, err
	}
	e.SimPortTrap = simPortTrap(apiURL, e.Settings.SSHPort, os.Getenv)
	return e, nil
}

// FromOSIfToken is FromOS, or Local when no token is set: for targets that
// can work on a bare IP address without the API.
func FromOSIfToken() (*Env, error) {
	e, err := FromOS()
	if errors.Is(err, doapi.ErrNoToken) {
		return Local()
	}
	return e, err
}

// SSHConfig is how the routes log in to droplets (as DROPLET_SSH_USER),
// checked before anything is created, by every route: a bad SSH_IDENTITY,
// or no key at all in ssh-agent and ~/.ssh, found after a droplet exists
// costs money and a second try.
func (e *Env) SSHConfig() (remote.Config, error) {
	if err := e.checkSSHPort(); err != nil {
		return remote.Config{}, err
	}
	cfg := remote.Config{
		User: e.Settings.SSHUser, Port: e.Settings.SSHPort, IdentityFile: e.Settings.SSHIdentity,
		KnownHostsFile: e.Settings.KnownHosts, Log: e.Err,
	}
	err := cfg.CheckKeys()
	var none *remote.NoKeyError
	switch {
	case errors.As(err, &none):
		return cfg, fmt.Errorf("no SSH key to log in to droplets with (%s): load your key into ssh-agent (ssh-add), or set SSH_IDENTITY to its private key file",
			strings.Join(none.Tried, "; "))
	case err != nil:
		return cfg, fmt.Errorf("SSH_IDENTITY: %w; point SSH_IDENTITY at your private key file (not the .pub), or leave it empty to use ssh-agent", err)
	}
	return cfg, nil
}

// loginOf is the keys cfg logs in with, which a droplet about to be made
// must let in (droplets.CheckLogin); cfg is checked (SSHConfig).
func loginOf(cfg remote.Config) (droplets.Login, error) {
	keys, from, err := cfg.LoginKeys()
	if err != nil {
		return droplets.Login{}, fmt.Errorf("SSH keys: %w", err)
	}
	return droplets.Login{Keys: keys, From: from}, nil
}

// checkSSHPort refuses, before anything is made, to wait for SSH on port 22
// of droplets that the simulator made, which answer on another.
func (e *Env) checkSSHPort() error {
	if e.SimPortTrap {
		return hints.SimPortTrap(e.Settings.SSHPort, SimSSHPort)
	}
	return nil
}

// dropletAPI is the client's services as the droplets package uses them.
func (e *Env) dropletAPI() droplets.API { return droplets.NewAPI(e.Client) }

// imageAPI is the client's images service as the images package uses it.
func (e *Env) imageAPI() images.API { return e.Client.Images }

// print writes a target's result to Out: every target prints through here.
func (e *Env) print(asJSON bool, p display.Printable) error { return display.Print(e.Out, asJSON, p) }

// explain adds to a target's error what the operator can do about it; every
// target ends with it.
func explain(err *error) { *err = hints.Explain(*err) }
