// Package poll paces the waits that ask DigitalOcean the same question until
// the answer changes: a droplet's address, an image import, a deletion.
package poll

import (
	"cmp"
	"context"
	"io"
	"time"
)

// Pace bounds and paces one wait. Zero fields take the defaults the wait
// passes to Or.
type Pace struct {
	Timeout   time.Duration // how long the wait may take
	FirstPoll time.Duration // the first pause between questions; it doubles up to MaxPoll
	MaxPoll   time.Duration // the longest pause
	Log       io.Writer     // progress; nil = discarded
}

// Or returns p with its zero fields taken from def, and a Log that is never nil.
func (p Pace) Or(def Pace) Pace {
	p.Timeout = cmp.Or(p.Timeout, def.Timeout)
	p.FirstPoll = cmp.Or(p.FirstPoll, def.FirstPoll)
	p.MaxPoll = cmp.Or(p.MaxPoll, def.MaxPoll, p.FirstPoll)
	if p.Log == nil {
		p.Log = cmp.Or(def.Log, io.Discard)
	}
	return p
}

// Next is the pause after one of length d: twice as long, at most MaxPoll.
func (p Pace) Next(d time.Duration) time.Duration { return min(d*2, p.MaxPoll) }

// Until asks check until it reports done or fails, pausing between
// questions as p says (FirstPoll, doubling up to MaxPoll), and returns
// check's error, or ctx's once ctx has ended. With later it pauses before
// the first question too: what was just started cannot have ended yet.
// p.Timeout is the caller's to apply to ctx.
func (p Pace) Until(ctx context.Context, later bool, check func(context.Context) (done bool, err error)) error {
	pause := p.FirstPoll
	for {
		if !later {
			done, err := check(ctx)
			if err != nil && ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil || done {
				return err
			}
		}
		later = false
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		pause = p.Next(pause)
	}
}
