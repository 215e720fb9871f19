package cmdline

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var testTargets = Targets{
	{Name: "create", Flags: []Flag{
		{Name: "name", Value: Text{What: "a name", Default: "NAME", Example: "web1", Check: func(s string) error {
			if strings.Contains(s, "!") {
				return errors.New("bad name " + s)
			}
			return nil
		}}},
		{Name: "ipv6", Value: Bool{}},
		{Name: "timeout", Value: Duration{Min: time.Second, Max: time.Hour, Default: 10 * time.Minute}},
	}},
	{Name: "destroy", Args: []Arg{{Name: "droplet", What: "a droplet", Example: "web1"}}, Flags: []Flag{{Name: "yes", Value: Bool{}}}},
	{Name: "uploadImage", Flags: []Flag{{Name: "file", Value: Text{What: "a file", Default: "the newest", Example: "x.gz"}}}},
	{Name: "sim", Flags: []Flag{
		{Name: "port", Value: Int{Min: 1, Max: 65535, Default: 2222}},
		{Name: "boot", Value: Duration{Min: 0, Max: time.Hour, Default: 8 * time.Second}},
	}},
	{Name: "demo"},
	{Name: "up", Args: []Arg{{Name: "name", What: "a droplet name", Example: "web1"}}, RefuseMageTimeout: true, Flags: []Flag{
		{Name: "timeout", Value: Duration{Min: time.Second, Max: 6 * time.Hour, Default: time.Hour}},
	}},
	{Name: "deploy", RefuseMageTimeout: true, Flags: []Flag{{Name: "dryrun", Value: Bool{}}}},
}

// Check follows mage's grammar: what mage would run passes, and what cannot
// be right is refused with what was typed and the fix.
func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string // nil: passes; else the error contains each
	}{
		{name: "no target", args: nil},
		{name: "list", args: []string{"-l"}},
		{name: "help of a target", args: []string{"-h", "create", "-timeout=-1s"}},
		{name: "help through the environment", args: []string{"create", "-timeout=-1s"}, env: map[string]string{"MAGEFILE_HELP": "1"}},
		{name: "unknown target left to mage", args: []string{"crate", "-x"}},
		{name: "mage's flags first", args: []string{"-v", "-t", "5m", "create", "-timeout=5m"}},
		{name: "mage's timeout negative", args: []string{"-t=-5s", "create"}, want: []string{"-t=-5s is negative", "e.g. -t=1h"}},
		{name: "mage's timeout negative through the environment", args: []string{"create"}, env: map[string]string{"MAGEFILE_TIMEOUT": "-5s"}, want: []string{"-t=-5s is negative"}},
		{name: "mage's timeout malformed", args: []string{"-t=5", "create"}, want: []string{`invalid value "5" for flag -t`, "e.g. -t=1h"}},
		{name: "a flag mage does not have", args: []string{"-x", "create"}, want: []string{"flag provided but not defined: -x", "-v, -l, -h and -t"}},
		{name: "mage's timeout of zero, no bound", args: []string{"-t=0", "create"}},
		{name: "mage's flags, then a bad value", args: []string{"-v", "-t=5m", "create", "-timeout=5"}, want: []string{"-timeout=5 is not a duration", "e.g. -timeout=10m"}},
		{name: "mage's timeout for a target that stops its own work", args: []string{"-t=1h", "up", "web1"},
			want: []string{"-t=1h is refused for up", "mage exits at once", "its own -timeout instead (from 1s to 6h, default 1h)", "`mage up web1 -timeout=1h`"}},
		{name: "mage's timeout through the environment, for such a target", args: []string{"up", "web1"}, env: map[string]string{"MAGEFILE_TIMEOUT": "1h30m0s"},
			want: []string{"-t=1h30m is refused for up"}},
		{name: "mage's timeout for such a target without -timeout", args: []string{"-t", "5m", "deploy"}, want: []string{"-t=5m is refused for deploy", "leave -t out"}},
		{name: "mage's timeout of zero, no bound, for such a target", args: []string{"-t=0", "up", "web1"}},
		{name: "a bad value said before mage's timeout", args: []string{"-t=1h", "up", "web1", "-timeout=5"}, want: []string{"-timeout=5 is not a duration"}},
		{name: "a target in another case", args: []string{"CREATE", "-Timeout=-1s"}, want: []string{"-timeout=-1s is negative"}},
		{name: "all good", args: []string{"create", "-name=web1", "-ipv6=false", "-timeout=1h"}},
		{name: "a flag twice", args: []string{"create", "-timeout=1h", "-name=a", "-timeout=2h"}, want: []string{"-timeout is given twice (-timeout=1h, then -timeout=2h)", "give it once"}},
		{name: "a flag twice in two cases", args: []string{"destroy", "web1", "-yes", "-YES=false"}, want: []string{"-YES is given twice (-yes, then -YES=false)"}},
		{name: "a flag twice, the second bad", args: []string{"create", "-ipv6", "-ipv6=maybe"}, want: []string{"-ipv6 is given twice"}},
		{name: "a bare bool", args: []string{"destroy", "web1", "-yes"}},
		{name: "a bare value flag", args: []string{"create", "-timeout"}, want: []string{"-timeout needs a value after =", "-timeout=10m"}},
		{name: "a flag split from its value", args: []string{"create", "-timeout", "5m"}, want: []string{"-timeout needs a value"}},
		{name: "unknown flag", args: []string{"create", "-timout=5m"}, want: []string{"create has no flag -timout", "-name, -ipv6, -timeout", "mage -h create"}},
		{name: "flag of a target without flags", args: []string{"demo", "-x"}, want: []string{"demo has no flags, so not -x"}},
		{name: "an argument after a flagless target", args: []string{"demo", "x"}, want: []string{`"x" after demo`, "demo takes no arguments"}},
		{name: "an argument too many", args: []string{"create", "web1"}, want: []string{`"web1" after create`, "flags only", "one target runs per command"}},
		{name: "a second target", args: []string{"create", "-name=a", "demo"}, want: []string{`"demo" after create`}},
		{name: "an argument after the positional and flags", args: []string{"destroy", "a", "-yes", "b"}, want: []string{`"b" after destroy`, "<droplet> and flags"}},
		{name: "positional missing", args: []string{"destroy"}, want: []string{"destroy needs <droplet>, a droplet", "`mage destroy web1`"}},
		{name: "positional empty", args: []string{"destroy", ""}, want: []string{"<droplet> is empty", "`mage destroy web1`"}},
		{name: "flag in the positional's place", args: []string{"destroy", "-yes"}, want: []string{`"-yes" is a flag where <droplet> belongs`, "`mage destroy web1 -yes`"}},
		{name: "a negative number in the positional's place", args: []string{"destroy", "-1"}, want: []string{`"-1" is not <droplet>, a droplet, nor a flag of destroy`, "e.g. `mage destroy web1`"}},
		{name: "another word with a dash in the positional's place", args: []string{"destroy", "-force"}, want: []string{`"-force" is not <droplet>`, "e.g. `mage destroy web1`"}},
		{name: "bool malformed", args: []string{"create", "-ipv6=maybe"}, want: []string{"-ipv6=maybe is not true or false", "e.g. -ipv6=false, or -ipv6 alone for true"}},
		{name: "bool empty", args: []string{"create", "-ipv6="}, want: []string{"-ipv6 is empty", "e.g. -ipv6=false"}},
		{name: "text empty", args: []string{"create", "-name="}, want: []string{"-name is empty: give a name, e.g. -name=web1, or leave the flag out (default NAME)"}},
		{name: "text refused by its check", args: []string{"create", "-name=web!"}, want: []string{"-name: bad name web!; e.g. -name=web1"}},
		{name: "text without a check", args: []string{"uploadImage", "-file=anything at all"}},
		{name: "duration empty", args: []string{"create", "-timeout="}, want: []string{"-timeout is empty", "from 1s to 1h", "(default 10m)"}},
		{name: "duration without unit", args: []string{"create", "-timeout=5"}, want: []string{"-timeout=5 is not a duration"}},
		{name: "duration negative", args: []string{"create", "-timeout=-5s"}, want: []string{"-timeout=-5s is negative", "e.g. -timeout=10m"}},
		{name: "wait of zero", args: []string{"create", "-timeout=0s"}, want: []string{"-timeout=0s would end the wait at once"}},
		{name: "wait of a few milliseconds", args: []string{"create", "-timeout=500ms"}, want: []string{"-timeout=500ms is under 1s"}},
		{name: "wait too long", args: []string{"create", "-timeout=1000h"}, want: []string{"-timeout=1000h is over 1h, the most it may be"}},
		{name: "wait at its most", args: []string{"create", "-timeout=1h"}},
		{name: "wait just over its most", args: []string{"create", "-timeout=1h0m1s"}, want: []string{"is over 1h"}},
		{name: "duration beyond int64", args: []string{"create", "-timeout=100000000000h"}, want: []string{"-timeout=100000000000h is over 1h"}},
		{name: "duration below int64", args: []string{"create", "-timeout=-100000000000h"}, want: []string{"is negative"}},
		{name: "delay of zero", args: []string{"sim", "-boot=0s"}},
		{name: "delay negative", args: []string{"sim", "-boot=-1s"}, want: []string{"-boot=-1s is negative", "from 0s to 1h"}},
		{name: "int empty", args: []string{"sim", "-port="}, want: []string{"-port is empty", "(default 2222)"}},
		{name: "int malformed", args: []string{"sim", "-port=22x"}, want: []string{"-port=22x is not a whole number", "e.g. -port=2222"}},
		{name: "int negative", args: []string{"sim", "-port=-1"}, want: []string{"-port=-1 is negative"}},
		{name: "int zero", args: []string{"sim", "-port=0"}, want: []string{"-port=0 is under 1"}},
		{name: "int too large", args: []string{"sim", "-port=65536"}, want: []string{"-port=65536 is over 65535"}},
		{name: "int beyond int64", args: []string{"sim", "-port=99999999999999999999999"}, want: []string{"is over 65535"}},
		{name: "int below int64", args: []string{"sim", "-port=-99999999999999999999999"}, want: []string{"is negative"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := testTargets.Check(tc.args, func(k string) string { return tc.env[k] })
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want nil", tc.args, err)
				}
				return
			}
			var cerr *Error
			if !errors.As(err, &cerr) {
				t.Fatalf("Check(%q) = %v, want an *Error", tc.args, err)
			}
			if cerr.ExitStatus() != 2 {
				t.Errorf("exit status %d, want mage's 2 for a command line it refuses", cerr.ExitStatus())
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Check(%q) =\n  %v\nwant it to contain %q", tc.args, err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error of more than one line: %q", err)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 8 * time.Second: "8s", 10 * time.Minute: "10m", time.Hour: "1h",
		90 * time.Minute: "1h30m", 270 * time.Minute: "4h30m", 61 * time.Second: "1m1s", 500 * time.Millisecond: "500ms",
	} {
		if got := Format(d); got != want {
			t.Errorf("Format(%v) = %q, want %q", d, got, want)
		}
	}
}
