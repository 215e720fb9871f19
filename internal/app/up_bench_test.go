package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/plan"
	"github.com/Gleipnir-Technology/nixos-systems/internal/poll"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
)

// benchSim boots droplets as DigitalOcean does, shortened: an address after
// 1 s, active after 3 s, SSH a second later; a power or resize action takes
// 3 s.
var benchSim = dosim.Options{NetworkDelay: time.Second, BootTime: 3 * time.Second, SSHDelay: time.Second, ActionTime: 3 * time.Second}

// BenchmarkUp compares `mage up` with the separate commands an operator
// would run for the same droplet, against the simulator and the real
// loopback sshd, with nixos-anywhere faked and every wait paced as for real
// droplets. Each run reports its API requests beside its wall time; the
// detour (nixos-anywhere on 1 GB by way of 2 GB) also reports its own wall
// time and requests: the tag, shutdown, resize and power-on steps there
// and back. The separate commands for the detour are doctl's, `doctl
// compute droplet-action shutdown|resize|power-on --wait`, which poll the
// action every 5 s. Run with -benchtime=1x: each iteration boots droplets
// in real time.
//
//	go test -run XXX -bench Up -benchtime=1x ./internal/app/
func BenchmarkUp(b *testing.B) {
	b.Run("up/anywhere-2gb", func(b *testing.B) {
		bench(b, func(u *upSetup) error {
			o := u.options()
			o.Size = ptr("s-1vcpu-2gb")
			return Up(context.Background(), u.Env, "bench", o)
		})
	})
	b.Run("separate/create+anywhere-2gb", func(b *testing.B) {
		bench(b, func(u *upSetup) error {
			if err := Create(context.Background(), u.Env, Overrides{Name: ptr("bench"), Size: ptr("s-1vcpu-2gb"), IPv6: ptr(false)}, false); err != nil {
				return err
			}
			return Anywhere(context.Background(), u.Env, "host=bench", AnywhereOptions{Yes: true, Runner: u.runner, Files: u.files, Host: u.host})
		})
	})
	b.Run("up/anywhere-1gb-detour", func(b *testing.B) {
		var detour time.Duration
		var detourRequests int
		bench(b, func(u *upSetup) error {
			counter := &stepRequests{w: u.stderr, sim: u.Sim}
			e := *u.Env
			e.Err = counter
			o := u.options()
			o.JSON = true
			if err := Up(context.Background(), &e, "bench", o); err != nil {
				return err
			}
			var res plan.Result
			if err := json.Unmarshal(u.Stdout.Bytes(), &res); err != nil {
				return err
			}
			for i, r := range res.Steps {
				if detourStep(r.Name) {
					detour += time.Duration(r.Seconds * float64(time.Second))
					detourRequests += counter.during(i + 1)
				}
			}
			return nil
		})
		b.ReportMetric(detour.Seconds()/float64(b.N), "detour-s/op")
		b.ReportMetric(float64(detourRequests)/float64(b.N), "detour-api-requests/op")
	})
	b.Run("separate/create+doctl+anywhere-1gb", func(b *testing.B) {
		var detour time.Duration
		var detourRequests int
		bench(b, func(u *upSetup) error {
			ctx := context.Background()
			if err := Create(ctx, u.Env, Overrides{Name: ptr("bench"), Size: ptr("s-1vcpu-1gb"), IPv6: ptr(false)}, false); err != nil {
				return err
			}
			d := u.Sim.Droplets()[0]
			resize := func(size string) error {
				start, before := time.Now(), len(u.Sim.Requests())
				defer func() {
					detour += time.Since(start)
					detourRequests += len(u.Sim.Requests()) - before
				}()
				for _, post := range []func() (*godo.Action, *godo.Response, error){
					func() (*godo.Action, *godo.Response, error) { return u.Client.DropletActions.Shutdown(ctx, d.ID) },
					func() (*godo.Action, *godo.Response, error) {
						return u.Client.DropletActions.Resize(ctx, d.ID, size, false)
					},
					func() (*godo.Action, *godo.Response, error) { return u.Client.DropletActions.PowerOn(ctx, d.ID) },
				} {
					if err := doctlWait(ctx, u.Client, post); err != nil {
						return err
					}
				}
				// Then the operator waits for SSH before going on.
				ip, _ := d.PublicIPv4()
				return remote.WaitForSSH(ctx, remote.Config{Port: u.Settings.SSHPort}.Addr(ip), time.Second, nil)
			}
			if err := resize("s-1vcpu-2gb"); err != nil {
				return err
			}
			if err := Anywhere(ctx, u.Env, "host=bench", AnywhereOptions{Yes: true, Runner: u.runner, Files: u.files, Host: u.host}); err != nil {
				return err
			}
			return resize("s-1vcpu-1gb")
		})
		b.ReportMetric(detour.Seconds()/float64(b.N), "detour-s/op")
		b.ReportMetric(float64(detourRequests)/float64(b.N), "detour-api-requests/op")
	})
}

// bench runs one command sequence per iteration on a fresh account and
// reports the API requests it made.
func bench(b *testing.B, run func(u *upSetup) error) {
	var requests int
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		u := newUpSetup(b, benchSim)
		// The waits' own defaults, as for a real droplet.
		u.Wait = droplets.WaitOptions{SSHPort: u.Settings.SSHPort, Pace: poll.Pace{Log: u.stderr}}
		b.StartTimer()
		if err := run(u); err != nil {
			b.Fatalf("%v\n%s", err, u.stderr)
		}
		b.StopTimer()
		requests += len(u.Sim.Requests())
	}
	b.ReportMetric(float64(requests)/float64(b.N), "api-requests/op")
}

// detourStep reports whether the step called name is part of the detour.
func detourStep(name string) bool {
	for _, w := range []string{"tag", "power off", "resize", "power on as "} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// doctlWait does what `doctl compute droplet-action … --wait` does: post
// the action, then read it every 5 s until it is no longer in progress.
func doctlWait(ctx context.Context, c *godo.Client, post func() (*godo.Action, *godo.Response, error)) error {
	a, _, err := post()
	for err == nil && a.Status == godo.ActionInProgress {
		time.Sleep(5 * time.Second)
		a, _, err = c.Actions.Get(ctx, a.ID)
	}
	if err == nil && a.Status != godo.ActionCompleted {
		err = fmt.Errorf("action %d %s", a.ID, a.Status)
	}
	return err
}

// stepRequests passes progress on to w and notes, as each step ends (its
// "--- k/n" line, or its "==> k/n …: done already"), how many requests the
// simulator has had: a step's requests, its check whether it is done
// included, are those since the step before it ended.
type stepRequests struct {
	w   interface{ Write([]byte) (int, error) }
	sim *dosim.Server

	mu  sync.Mutex
	end map[int]int
}

func (s *stepRequests) Write(p []byte) (int, error) {
	var k int
	line := string(p)
	s.mu.Lock()
	if s.end == nil {
		s.end = map[int]int{}
	}
	if _, err := fmt.Sscanf(line, "--- %d/", &k); err == nil {
		s.end[k] = len(s.sim.Requests())
	} else if _, err := fmt.Sscanf(line, "==> %d/", &k); err == nil && strings.HasSuffix(line, ": done already\n") {
		s.end[k] = len(s.sim.Requests())
	}
	s.mu.Unlock()
	return s.w.Write(p)
}

// during is the number of requests step k made (k > 1).
func (s *stepRequests) during(k int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.end[k] - s.end[k-1]
}
