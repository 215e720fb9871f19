// Package steps runs a long operation as a list of steps, in the manner of
// packer's multistep builders (packer-plugin-digitalocean's step_*.go): each
// step knows whether its effect is already there, how to bring it about, and
// what the operator should be told when the run stops in it. Whether a step
// is done is read from the world (a droplet's size, power and tags, what SSH
// shows), never from a record of earlier runs, so running the same list
// again, from any machine, continues where an interrupted run stopped.
//
// Unlike packer's steps, these undo nothing when a later step fails: what
// they make costs money only while it exists and is always reported, and
// running the list again finishes the job, which is what an operator who
// started it wants.
package steps

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/cmdline"
)

// Step is one stage of an operation on a state S, which the steps share.
type Step[S any] struct {
	// Name says what the step does, as a plan line: "resize to
	// s-1vcpu-2gb (CPU and RAM only)".
	Name string
	// Done reports whether the step's effect is already there; nil means
	// the step always runs (it changes nothing that is already right).
	Done func(ctx context.Context, s S) (bool, error)
	// Do brings the effect about.
	Do func(ctx context.Context, s S) error
	// Stopped says, when the run stops in this step (failure, timeout,
	// interruption), what state it leaves behind; "" adds nothing.
	Stopped func(s S) string
	// ReadOnly marks a step that only looks (an inspection, a
	// verification): running it changes nothing.
	ReadOnly bool
}

// Outcome is what one step of a run did.
type Outcome string

const (
	Ran     Outcome = "ran"
	Skipped Outcome = "done already"
	Failed  Outcome = "stopped"
	NotRun  Outcome = "not reached"
)

// Record is one line of a run's account.
type Record struct {
	Name     string        `json:"name"`
	Outcome  Outcome       `json:"outcome"`
	ReadOnly bool          `json:"read_only"` // the step only looks
	Took     time.Duration `json:"-"`
	Seconds  float64       `json:"seconds"` // Took, for JSON readers
}

// Run runs list in order on s: a step whose Done says yes is skipped, the
// others are done. Progress goes to log: a line as each step starts and
// one as it ends. It returns one record per step;
// when a step fails, the error is a *StopError and the steps after it are
// NotRun.
func Run[S any](ctx context.Context, list []Step[S], s S, log io.Writer) ([]Record, error) {
	records := make([]Record, len(list))
	for i, st := range list {
		records[i] = Record{Name: st.Name, Outcome: NotRun, ReadOnly: st.ReadOnly}
	}
	for i, st := range list {
		start := time.Now()
		done, err := isDone(ctx, st, s)
		if err == nil && done {
			records[i].Outcome = Skipped
			fmt.Fprintf(log, "==> %d/%d %s: done already\n", i+1, len(list), st.Name)
			continue
		}
		if err == nil {
			fmt.Fprintf(log, "==> %d/%d %s\n", i+1, len(list), st.Name)
			err = st.Do(ctx, s)
		}
		records[i].Took = time.Since(start)
		records[i].Seconds = records[i].Took.Seconds()
		if err != nil {
			records[i].Outcome = Failed
			if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
				err = fmt.Errorf("%w (%w)", err, context.Cause(ctx))
			}
			stop := &StopError{Step: st.Name, Index: i + 1, Of: len(list), Err: err}
			if st.Stopped != nil {
				stop.Left = st.Stopped(s)
			}
			return records, stop
		}
		records[i].Outcome = Ran
		fmt.Fprintf(log, "--- %d/%d done in %s\n", i+1, len(list), cmdline.Format(records[i].Took.Round(time.Second/10)))
	}
	return records, nil
}

func isDone[S any](ctx context.Context, st Step[S], s S) (bool, error) {
	if st.Done == nil {
		return false, ctx.Err()
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	return st.Done(ctx, s)
}

// StopError is a run that stopped in a step.
type StopError struct {
	Step      string
	Index, Of int
	Err       error
	Left      string // what the step left behind, from its Stopped
}

func (e *StopError) Error() string {
	msg := fmt.Sprintf("step %d/%d (%s): %v", e.Index, e.Of, e.Step, e.Err)
	if e.Left != "" {
		msg += "; " + e.Left
	}
	return msg
}

func (e *StopError) Unwrap() error { return e.Err }

// Changed reports whether a run did anything but look: a step that is not
// ReadOnly ran, or stopped partway.
func Changed(records []Record) bool {
	for _, r := range records {
		if !r.ReadOnly && (r.Outcome == Ran || r.Outcome == Failed) {
			return true
		}
	}
	return false
}
