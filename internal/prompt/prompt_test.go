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
		want := "Delete x? [y/N] "
		if !strings.HasSuffix(tc.in, "\n") {
			want += "\n"
		}
		if out.String() != want {
			t.Errorf("with input %q the question printed as %q, want %q", tc.in, out.String(), want)
		}
	}
	if YesNo(nil, nil, "x?") {
		t.Error("no input must mean no")
	}
}
