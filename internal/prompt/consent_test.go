package prompt

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/Gleipnir-Technology/nixos-systems/internal/problem"
)

func TestConsentAllow(t *testing.T) {
	foreign := errors.New("droplet web was not made by this repo")
	tests := []struct {
		name     string
		c        Consent
		foreign  error
		want     error // nil, ErrDeclined, or foreign (as an Overridable)
		question bool  // the question was asked
	}{
		{"ours, yes typed", Consent{In: strings.NewReader("y\n")}, nil, nil, true},
		{"ours, nothing to read", Consent{}, nil, ErrDeclined, false},
		{"ours, stdin closed", Consent{In: strings.NewReader("")}, nil, ErrDeclined, true},
		{"ours, -yes", Consent{Yes: true}, nil, nil, false},
		{"foreign", Consent{Yes: true}, foreign, foreign, false},
		{"foreign, forced, asked", Consent{Force: true, In: strings.NewReader("n\n")}, foreign, ErrDeclined, true},
		{"foreign, forced, -yes", Consent{Force: true, Yes: true}, foreign, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			tc.c.Out = &out
			err := tc.c.Allow(Change{Foreign: tc.foreign, Override: "destroy it anyway", Question: "Destroy web?", Refused: "not destroyed"})
			var o *problem.Overridable
			switch {
			case tc.want == nil && err != nil,
				tc.want == ErrDeclined && (!errors.Is(err, ErrDeclined) || err.Error() != "not destroyed"),
				tc.want == foreign && (!errors.As(err, &o) || o.Err != foreign || o.Action != "destroy it anyway"):
				t.Errorf("Allow = %v, want %v", err, tc.want)
			}
			if asked := strings.Contains(out.String(), "Destroy web? [y/N]"); asked != tc.question {
				t.Errorf("asked = %t, want %t", asked, tc.question)
			}
		})
	}
}
