package prompt

import (
	"bytes"
	"strings"
	"testing"
)

func TestYesNo(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"y\n", true}, {"YES\n", true}, {" yes \n", true}, {"y", true},
		{"n\n", false}, {"\n", false}, {"", false}, {"yeah\n", false},
	}
	for _, tc := range tests {
		var out bytes.Buffer
		if got := YesNo(strings.NewReader(tc.in), &out, "Delete x?"); got != tc.want {
			t.Errorf("YesNo(%q) = %t, want %t", tc.in, got, tc.want)
		}
		if out.String() != "Delete x? [y/N] " {
			t.Errorf("question printed as %q", out.String())
		}
	}
	if YesNo(nil, nil, "x?") {
		t.Error("no input must mean no")
	}
}
