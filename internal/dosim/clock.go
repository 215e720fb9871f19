package dosim

import (
	"sort"
	"sync"
	"time"
)

// Clock is the simulator's source of time: every status it derives
// (droplets booting, actions completing, imports finishing), every
// timestamp it answers, its rate limits, its SSH endpoints opening and
// closing and Fault.Delay follow it. Options.Clock nil is the wall clock;
// tests pass a *ManualClock to move time themselves.
type Clock interface {
	Now() time.Time
	// AfterFunc arranges for f to run, in its own goroutine or from
	// ManualClock.Advance, once d has passed; stop cancels it and reports
	// whether it did so before f started.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// wallClock is real time.
type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

func (wallClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// ManualClock is a Clock that moves only when Advance is called, so a test
// decides exactly when a droplet boots or an action completes. Its zero
// value is not usable; call NewManualClock.
type ManualClock struct {
	mu     sync.Mutex
	now    time.Time
	seq    int
	timers map[int]manualTimer
}

type manualTimer struct {
	when time.Time
	seq  int // arming order, to run timers due at the same time in that order
	f    func()
}

// NewManualClock returns a clock standing at start.
func NewManualClock(start time.Time) *ManualClock {
	return &ManualClock{now: start, timers: map[int]manualTimer{}}
}

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc arms f to run during the Advance that reaches d from now; a
// timer already due (d <= 0) runs at the next Advance, Advance(0) included,
// never inside AfterFunc, whose caller may hold locks f needs.
func (c *ManualClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	seq := c.seq
	c.timers[seq] = manualTimer{when: c.now.Add(d), seq: seq, f: f}
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		_, armed := c.timers[seq]
		delete(c.timers, seq)
		return armed
	}
}

// Advance moves the clock forward by d and runs, in time order, every timer
// that falls due, each with the clock standing at its due time. It returns
// once they have all run, so what they do (an SSH endpoint opening or
// closing) has happened when Advance returns. Timers they arm that fall due
// within d run too.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	target := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		next, ok := c.nextDue(target)
		if !ok {
			c.now = target
			c.mu.Unlock()
			return
		}
		delete(c.timers, next.seq)
		if next.when.After(c.now) {
			c.now = next.when
		}
		c.mu.Unlock()
		next.f()
	}
}

// Pending reports how many timers are armed and not yet run, so a test can
// see that the simulator is waiting on the clock.
func (c *ManualClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// nextDue is the earliest timer due by target; the caller holds c.mu.
func (c *ManualClock) nextDue(target time.Time) (manualTimer, bool) {
	due := make([]manualTimer, 0, len(c.timers))
	for _, t := range c.timers {
		if !t.when.After(target) {
			due = append(due, t)
		}
	}
	if len(due) == 0 {
		return manualTimer{}, false
	}
	sort.Slice(due, func(i, j int) bool {
		if !due[i].when.Equal(due[j].when) {
			return due[i].when.Before(due[j].when)
		}
		return due[i].seq < due[j].seq
	})
	return due[0], true
}
