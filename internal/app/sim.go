package app

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
)

// SimOptions are the flags of `mage sim`.
type SimOptions struct {
	Addr       string        // API listen address
	SSHPort    int           // port of every simulated droplet's SSH endpoint
	SSHBackend string        // real sshd to forward droplet SSH to; "" = banner only
	Boot       time.Duration // new → active
}

// Sim serves the DigitalOcean simulator until ctx ends, after printing the
// exports that point the other targets at it.
func Sim(ctx context.Context, o SimOptions, out, log io.Writer) error {
	sim := dosim.New(dosim.Options{
		BootTime:     o.Boot,
		NetworkDelay: o.Boot / 4,
		SSHDelay:     o.Boot / 4,
		SSHPort:      o.SSHPort,
		SSHBackend:   o.SSHBackend,
		ImportTime:   o.Boot,
		Logf:         func(format string, args ...any) { fmt.Fprintf(log, format+"\n", args...) },
	})
	defer sim.Close()
	// Listen before printing the exports, so they never point at a port
	// something else holds.
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("serve the simulator on %s: %w; pick another -addr", o.Addr, err)
	}
	fmt.Fprintf(out, "export DIGITALOCEAN_API_URL=http://%s/\n", ln.Addr())
	fmt.Fprintf(out, "export DIGITALOCEAN_ACCESS_TOKEN=%s\n", dosim.DefaultToken)
	fmt.Fprintf(out, "export DROPLET_SSH_PORT=%d\n", o.SSHPort)
	backend := "a banner only (enough for `mage create`)"
	if o.SSHBackend != "" {
		backend = "forwarded to " + o.SSHBackend
	}
	fmt.Fprintf(log, "simulated droplets boot in %s; their SSH on port %d is %s; Ctrl-C stops the simulator\n", o.Boot, o.SSHPort, backend)
	return sim.Serve(ctx, ln)
}
