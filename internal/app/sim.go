package app

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/cmdline"
	"github.com/Gleipnir-Technology/nixos-systems/internal/display"
	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hints"
)

// What the sim target serves unless its flags say otherwise.
const (
	SimAddr    = "127.0.0.1:8455"
	SimSSHPort = 2222
	SimBoot    = 8 * time.Second
)

// SimOptions are the flags of the sim target.
type SimOptions struct {
	Addr       string        // API listen address
	SSHPort    int           // port of every simulated droplet's SSH endpoint
	SSHBackend string        // real sshd to forward droplet SSH to; "" = banner only
	Boot       time.Duration // new → active
	Identity   string        // the operator's SSH_IDENTITY, whose keys go on the simulated account
}

// Sim serves the DigitalOcean simulator until ctx ends, after printing the
// exports that point the other targets at it.
func Sim(ctx context.Context, o SimOptions, out, log io.Writer) error {
	keys, kerr := simKeys(o.Identity)
	seed := ""
	if kerr == nil {
		seed = keys[0]
	}
	sim := dosim.New(dosim.Options{
		SeedKey:      seed,
		BootTime:     o.Boot,
		NetworkDelay: o.Boot / 4,
		SSHDelay:     o.Boot / 4,
		ActionTime:   o.Boot / 2,
		SSHPort:      o.SSHPort,
		SSHBackend:   o.SSHBackend,
		ImportTime:   o.Boot,
		Logf:         func(format string, args ...any) { fmt.Fprintf(log, format+"\n", args...) },
	})
	defer sim.Close()
	if kerr == nil {
		if err := addSimKeys(sim, keys); err != nil {
			return err
		}
	}
	// Listen before printing the exports, so they never point at a port
	// something else holds.
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return hints.SimAddrTaken(o.Addr, err)
	}
	exports := map[string]string{
		"DIGITALOCEAN_API_URL":      fmt.Sprintf("http://%s/", ln.Addr()),
		"DIGITALOCEAN_ACCESS_TOKEN": dosim.DefaultToken,
		"DROPLET_SSH_PORT":          strconv.Itoa(o.SSHPort),
	}
	if err := display.Print(out, false, display.Exports([]string{"DIGITALOCEAN_API_URL", "DIGITALOCEAN_ACCESS_TOKEN", "DROPLET_SSH_PORT"}, exports)); err != nil {
		ln.Close()
		return err
	}
	backend := hints.SimBannerOnly
	if o.SSHBackend != "" {
		backend = "forwarded to " + o.SSHBackend
	}
	if kerr == nil {
		fmt.Fprintf(log, "the simulated account has your %d SSH key(s), the first as key %d, which DROPLET_SSH_KEYS names in the settings as shipped\n", len(keys), dosim.SeedKeyID)
	} else {
		fmt.Fprintf(log, "warning: no SSH key of yours to put on the simulated account (%v), so `%s` will refuse to make droplets there: start it again with one\n", kerr, hints.Create)
	}
	fmt.Fprintf(log, "simulated droplets boot in %s; their SSH on port %d is %s; Ctrl-C stops the simulator\n", cmdline.Format(o.Boot), o.SSHPort, backend)
	return sim.Serve(ctx, ln)
}

// simPortTrap reports whether the API at apiURL is on this machine, as the
// simulator's is, while DROPLET_SSH_PORT is not set and the settings' SSH
// port is a droplet's 22: simulated droplets answer SSH on the port the sim
// target printed, so a wait for their SSH would last until its timeout.
func simPortTrap(apiURL string, port int, getenv func(string) string) bool {
	if getenv("DROPLET_SSH_PORT") != "" || port != 22 {
		return false
	}
	u, err := url.Parse(apiURL)
	if err != nil {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(u.Hostname())
	return err == nil && ip.IsLoopback()
}
