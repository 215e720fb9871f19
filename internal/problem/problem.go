// Package problem lets the packages that do the work say what kind of
// failure an error is without saying what the operator should type about
// it. Those words (target and flag names) live in one place next to the
// targets, internal/hints, which finds the kind with errors.Is or errors.As.
package problem

import "fmt"

// Kind is a kind of failure, compared by identity: two kinds with the same
// name are different kinds.
type Kind struct{ name string }

// NewKind returns a new kind; name says what happened, for reading and logs.
func NewKind(name string) *Kind { return &Kind{name: name} }

func (k *Kind) Error() string { return k.name }

// Errorf is fmt.Errorf (with %w wrapping as usual) whose result is also k
// for errors.Is, without k's name in its text.
func (k *Kind) Errorf(format string, args ...any) error {
	return &kindError{err: fmt.Errorf(format, args...), kind: k}
}

type kindError struct {
	err  error
	kind *Kind
}

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.err, e.kind} }

// Overridable is a refusal the operator may override on purpose, such as
// wiping a machine this repository did not make. Overridden says that was
// done and the work went on.
type Overridable struct {
	Err        error  // what is wrong
	Action     string // what overriding does, e.g. "destroy it anyway"
	Overridden bool
}

func (e *Overridable) Error() string { return e.Err.Error() }
func (e *Overridable) Unwrap() error { return e.Err }
