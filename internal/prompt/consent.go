package prompt

import (
	"io"

	"github.com/Gleipnir-Technology/nixos-systems/internal/problem"
)

// ErrDeclined is an irreversible change the operator did not agree to.
var ErrDeclined = problem.NewKind("declined")

// Consent is what the operator said about an irreversible change: on the
// command line, and in answer to the question.
type Consent struct {
	Yes   bool      // do not ask
	Force bool      // go ahead on something this repo did not make
	In    io.Reader // answers to the question; nil = no answer, a no
	Out   io.Writer // where the question goes
}

// Change is one irreversible change Consent guards.
type Change struct {
	Foreign  error  // why the thing is not this repo's, or nil when it is
	Override string // what going ahead on a foreign thing does, e.g. "destroy it anyway"
	Question string // asked unless Consent.Yes
	Refused  string // what did not happen without a yes, e.g. "not destroyed"
}

// Allow returns nil when ch may go ahead: the thing is this repo's (or
// Force), and the operator said yes (or Yes). A foreign thing without Force
// is a *problem.Overridable; no yes is ErrDeclined.
func (c Consent) Allow(ch Change) error {
	if ch.Foreign != nil && !c.Force {
		return &problem.Overridable{Err: ch.Foreign, Action: ch.Override}
	}
	if !c.Yes && !YesNo(c.In, c.Out, ch.Question) {
		return ErrDeclined.Errorf("%s", ch.Refused)
	}
	return nil
}
