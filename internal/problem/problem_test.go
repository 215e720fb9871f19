package problem

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindErrorf(t *testing.T) {
	cause := errors.New("503 Service Unavailable")
	k, other := NewKind("unknown size"), NewKind("unknown size")
	err := fmt.Errorf("create: %w", k.Errorf("size %q: %w", "s-9", cause))
	if err.Error() != `create: size "s-9": 503 Service Unavailable` {
		t.Errorf("message = %q, want the kind's name left out", err)
	}
	if !errors.Is(err, k) || !errors.Is(err, cause) {
		t.Errorf("%v is not both its kind and its cause", err)
	}
	if errors.Is(err, other) {
		t.Error("a kind of the same name matched: kinds must compare by identity")
	}
}

func TestOverridable(t *testing.T) {
	cause := errors.New("not made by this repo")
	var err error = &Overridable{Err: cause, Action: "destroy it anyway"}
	if err.Error() != cause.Error() || !errors.Is(err, cause) {
		t.Errorf("Overridable %q does not read and unwrap as its cause", err)
	}
}
