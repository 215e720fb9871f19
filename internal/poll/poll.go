// Package poll paces the waits that ask DigitalOcean the same question until
// the answer changes: a droplet's address, an image import, a deletion.
package poll

import (
	"cmp"
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
