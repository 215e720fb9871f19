package droplets_test

import (
	"context"
	"net"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"github.com/digitalocean/godo/util"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// BenchmarkWaitUntilSSH compares WaitReady with godo's util.WaitForActive,
// the 5-second action poller behind `doctl compute droplet create --wait`,
// on the same simulated boot: address after 3s, active after 20s, SSH 8s
// later. It reports how long after SSH first answered each one returned
// (negative: it returned before the droplet could be used) and how many API
// requests each made after the create. Run with -benchtime=1x; each
// iteration is a real-time boot of about 30s.
func BenchmarkWaitUntilSSH(b *testing.B) {
	b.Run("WaitReady", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			runBoot(b, func(ctx context.Context, c *godo.Client, d *godo.Droplet, _ string, port int) error {
				_, err := droplets.WaitReady(ctx, droplets.NewAPI(c), d.ID, droplets.WaitOptions{SSHPort: port})
				return err
			})
		}
	})
	b.Run("ActionPoller5s", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			runBoot(b, func(ctx context.Context, c *godo.Client, _ *godo.Droplet, href string, _ int) error {
				return util.WaitForActive(ctx, c, href)
			})
		}
	})
}

func runBoot(b *testing.B, wait func(ctx context.Context, c *godo.Client, d *godo.Droplet, href string, port int) error) {
	b.Helper()
	port := sshtest.FreePort(b, "127.0.0.1")
	sim := dosim.New(dosim.Options{NetworkDelay: 3 * time.Second, BootTime: 20 * time.Second, SSHDelay: 8 * time.Second, SSHPort: port})
	defer sim.Close()
	srv := httptest.NewServer(sim)
	defer srv.Close()
	c, err := doapi.New(dosim.DefaultToken, doapi.Options{BaseURL: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	d, resp, err := c.Droplets.Create(ctx, &godo.DropletCreateRequest{
		Name: "bench", Region: "sfo3", Size: "s-1vcpu-2gb", Image: godo.DropletCreateImage{Slug: "debian-12-x64"},
		SSHKeys: []godo.DropletCreateSSHKey{}, Tags: []string{},
	})
	if err != nil {
		b.Fatal(err)
	}
	before := len(sim.Requests())

	// An independent observer notes when SSH first answers, probing often.
	sshUp := make(chan time.Time, 1)
	observe, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		for observe.Err() == nil {
			if ds := sim.Droplets(); len(ds) == 1 {
				if ip, _ := ds[0].PublicIPv4(); ip != "" {
					if conn, err := net.DialTimeout("tcp", net.JoinHostPort(ip, strconv.Itoa(port)), 50*time.Millisecond); err == nil {
						buf := make([]byte, 4)
						conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
						n, _ := conn.Read(buf)
						conn.Close()
						if string(buf[:n]) == "SSH-" {
							sshUp <- time.Now()
							return
						}
					}
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()

	b.ResetTimer()
	if err := wait(ctx, c, d, resp.Links.Actions[0].HREF, port); err != nil {
		b.Fatal(err)
	}
	returned := time.Now()
	b.StopTimer()
	var up time.Time
	select {
	case up = <-sshUp:
	case <-time.After(30 * time.Second):
		b.Fatal("SSH never answered")
	}
	b.ReportMetric(returned.Sub(up).Seconds(), "s-after-ssh")
	b.ReportMetric(float64(len(sim.Requests())-before), "api-requests")
}
