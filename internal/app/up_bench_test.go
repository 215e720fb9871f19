package app

import (
	"context"
	"testing"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/poll"
)

// benchSim boots droplets as DigitalOcean does, shortened: an address after
// 1 s, active after 3 s, SSH a second later.
var benchSim = dosim.Options{NetworkDelay: time.Second, BootTime: 3 * time.Second, SSHDelay: time.Second}

// BenchmarkUp compares `mage up` with the separate commands an operator
// would run for the same droplet, against the simulator and the real
// loopback sshd, with nixos-anywhere faked and every wait paced as for
// real droplets. It reports each run's API requests beside its wall time.
// Run with -benchtime=1x: each iteration boots droplets in real time.
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
			return Anywhere(context.Background(), u.Env, "host=bench", AnywhereOptions{Yes: true, Runner: u.runner, Files: u.files})
		})
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
