package steps

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// world is a state the test steps read and change.
type world struct {
	lights, door bool
	did          []string
}

func lightsOn(fail error) Step[*world] {
	return Step[*world]{
		Name: "lights on",
		Done: func(_ context.Context, w *world) (bool, error) { return w.lights, nil },
		Do: func(_ context.Context, w *world) error {
			w.did = append(w.did, "lights")
			if fail != nil {
				return fail
			}
			w.lights = true
			return nil
		},
		Stopped: func(w *world) string {
			if w.lights {
				return "the lights are on"
			}
			return "the lights are off"
		},
	}
}

var openDoor = Step[*world]{
	Name: "open the door",
	Done: func(_ context.Context, w *world) (bool, error) { return w.door, nil },
	Do: func(_ context.Context, w *world) error {
		w.did = append(w.did, "door")
		w.door = true
		return nil
	},
}

var look = Step[*world]{
	Name:     "look",
	ReadOnly: true,
	Do: func(_ context.Context, w *world) error {
		w.did = append(w.did, "look")
		return nil
	},
}

func outcomes(rs []Record) []Outcome {
	var out []Outcome
	for _, r := range rs {
		out = append(out, r.Outcome)
	}
	return out
}

func TestRunSkipsWhatIsDone(t *testing.T) {
	w := &world{door: true}
	var log bytes.Buffer
	rs, err := Run(context.Background(), []Step[*world]{lightsOn(nil), openDoor, look}, w, &log)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Outcome{Ran, Skipped, Ran}, outcomes(rs)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"lights", "look"}, w.did); diff != "" {
		t.Errorf("did (-want +got):\n%s", diff)
	}
	if want := "==> 1/3 lights on\n--- 1/3 done in 0s\n==> 2/3 open the door: done already\n==> 3/3 look\n--- 3/3 done in 0s\n"; log.String() != want {
		t.Errorf("log:\n%s\nwant:\n%s", log.String(), want)
	}
	if !Changed(rs) {
		t.Error("a run that switched the lights on changed nothing")
	}

	// Again: everything is done, and only looking runs.
	w.did = nil
	rs, err = Run(context.Background(), []Step[*world]{lightsOn(nil), openDoor, look}, w, &log)
	if err != nil || Changed(rs) || !cmp.Equal(w.did, []string{"look"}) {
		t.Errorf("second run: err %v, changed %t, did %v", err, Changed(rs), w.did)
	}
}

func TestRunStopsAndSays(t *testing.T) {
	w := &world{}
	boom := errors.New("fuse blew")
	rs, err := Run(context.Background(), []Step[*world]{openDoor, lightsOn(boom), look}, w, &bytes.Buffer{})
	var stop *StopError
	if !errors.As(err, &stop) || !errors.Is(err, boom) {
		t.Fatalf("err = %v, want a StopError wrapping the cause", err)
	}
	if want := "step 2/3 (lights on): fuse blew; the lights are off"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if diff := cmp.Diff([]Outcome{Ran, Failed, NotRun}, outcomes(rs)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if !Changed(rs) {
		t.Error("a run that opened the door changed nothing")
	}
}

func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w := &world{}
	rs, err := Run(ctx, []Step[*world]{openDoor, look}, w, &bytes.Buffer{})
	if !errors.Is(err, context.Canceled) || len(w.did) != 0 {
		t.Errorf("err %v, did %v", err, w.did)
	}
	if diff := cmp.Diff([]Outcome{Failed, NotRun}, outcomes(rs)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
}

// A step whose work ends with the context names the interruption even
// when its own error does not.
func TestRunNamesTheInterruption(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	stuck := Step[*world]{Name: "wait", Do: func(context.Context, *world) error {
		cancel()
		return errors.New("gave up")
	}}
	_, err := Run(ctx, []Step[*world]{stuck}, &world{}, &bytes.Buffer{})
	if !errors.Is(err, context.Canceled) || err.Error() != "step 1/1 (wait): gave up (context canceled)" {
		t.Errorf("err = %v", err)
	}
}
