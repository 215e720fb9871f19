package poll

import (
	"bytes"
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
