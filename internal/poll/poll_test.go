package poll

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"
)

func TestOrFillsOnlyZeroFields(t *testing.T) {
	var log bytes.Buffer
	def := Pace{Timeout: time.Minute, FirstPoll: time.Second, MaxPoll: 5 * time.Second}
	got := Pace{FirstPoll: 10 * time.Millisecond, Log: &log}.Or(def)
	if got.Timeout != time.Minute || got.FirstPoll != 10*time.Millisecond || got.MaxPoll != 5*time.Second || got.Log != &log {
		t.Errorf("Or = %+v", got)
	}
	if got := (Pace{}).Or(def); got.Log != io.Discard {
		t.Errorf("Log = %v, want io.Discard", got.Log)
	}
	// A wait without a MaxPoll default polls at its first pace.
	if got := (Pace{}).Or(Pace{FirstPoll: time.Second}); got.MaxPoll != time.Second {
		t.Errorf("MaxPoll = %s, want the first poll", got.MaxPoll)
	}
}

func TestNextDoublesUpToMax(t *testing.T) {
	p := Pace{MaxPoll: 5 * time.Second}
	var got []time.Duration
	for d := time.Second; len(got) < 5; d = p.Next(d) {
		got = append(got, d)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("pauses = %v, want %v", got, want)
		}
	}
}

func TestUntil(t *testing.T) {
	p := Pace{FirstPoll: time.Millisecond, MaxPoll: 2 * time.Millisecond}
	ctx := context.Background()
	asked := 0
	countTo := func(n int, err error) func(context.Context) (bool, error) {
		asked = 0
		return func(context.Context) (bool, error) {
			asked++
			return asked == n, err
		}
	}
	if err := p.Until(ctx, false, countTo(3, nil)); err != nil || asked != 3 {
		t.Errorf("done at the third question: %v after %d", err, asked)
	}
	broken := errors.New("broken")
	if err := p.Until(ctx, false, countTo(3, broken)); err != broken || asked != 1 {
		t.Errorf("a failing question: %v after %d, want it returned at once", err, asked)
	}
	// Later pauses first; a context that ends meanwhile ends the wait
	// before the first question.
	ended, cancel := context.WithCancel(ctx)
	cancel()
	if err := p.Until(ended, true, countTo(1, nil)); !errors.Is(err, context.Canceled) || asked != 0 {
		t.Errorf("later, context ended: %v after %d questions", err, asked)
	}
	// A question that fails because the context ended gives the
	// context's error.
	ending, cancel := context.WithCancel(ctx)
	err := p.Until(ending, false, func(context.Context) (bool, error) { cancel(); return false, broken })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("failure as the context ended: %v, want context.Canceled", err)
	}
}
