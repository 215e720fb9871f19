package dosim

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestManualClock(t *testing.T) {
	c := NewManualClock(epoch)
	var ran []string
	at := map[string]time.Time{}
	arm := func(name string, d time.Duration) func() bool {
		return c.AfterFunc(d, func() {
			ran = append(ran, name)
			at[name] = c.Now()
		})
	}
	arm("b", 2*time.Second)
	arm("a", time.Second)
	arm("a2", time.Second) // same time as a: runs after it, in arming order
	stop := arm("stopped", time.Second)
	c.AfterFunc(1500*time.Millisecond, func() {
		ran = append(ran, "chain")
		arm("chained", 100*time.Millisecond) // armed by a timer, due within the same Advance
	})
	arm("now", 0)
	if !stop() || stop() {
		t.Error("stop reports true once, for a timer not yet run")
	}
	if len(ran) != 0 || c.Pending() != 5 {
		t.Fatalf("ran %v, %d pending before any Advance", ran, c.Pending())
	}

	c.Advance(0)
	if !cmp.Equal(ran, []string{"now"}) {
		t.Errorf("Advance(0) ran %v, want the timer due now", ran)
	}
	c.Advance(2*time.Second - time.Nanosecond)
	if want := []string{"now", "a", "a2", "chain", "chained"}; !cmp.Equal(ran, want) {
		t.Errorf("ran %v, want %v", ran, want)
	}
	if !at["a"].Equal(epoch.Add(time.Second)) || !at["chained"].Equal(epoch.Add(1600*time.Millisecond)) {
		t.Errorf("timers saw the clock at %v", at)
	}
	if !c.Now().Equal(epoch.Add(2*time.Second - time.Nanosecond)) {
		t.Errorf("clock at %v after Advance", c.Now())
	}
	c.Advance(time.Nanosecond)
	if ran[len(ran)-1] != "b" || c.Pending() != 0 {
		t.Errorf("ran %v, %d pending", ran, c.Pending())
	}
}
