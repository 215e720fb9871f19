package e2e

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// usage is a target as `mage -h` describes it to the user.
type usage struct {
	target string
	args   []string // positional arguments, in order
	flags  []flagUsage
}

type flagUsage struct{ name, typ, doc string }

func (u usage) has(flag string) bool {
	return slices.ContainsFunc(u.flags, func(f flagUsage) bool { return f.name == flag })
}

var (
	flagLine = regexp.MustCompile(`(?m)^\t-(\w+)=<([\w.]+)>\s+(.*)$`)
	// bounds is how a duration or int flag's help states its range and
	// default: "…, from 1s to 1h; default 10m".
	bounds = regexp.MustCompile(`from (\S+) to (\S+); default (\S+)$`)
	// textDefault is how a string flag's help states its default.
	textDefault = regexp.MustCompile(`; default (.+)$`)
)

// usages reads `mage -h` of every target `mage -l` lists.
func usages(t *testing.T) []usage {
	t.Helper()
	sh := newShell(t)
	var us []usage
	for _, target := range listedTargets(t) {
		r := sh.run(t, "-h", target)
		mustSucceed(t, r)
		line := regexp.MustCompile(`(?mi)^\t\S+ ` + regexp.QuoteMeta(target) + `((?: <\w+>)*)`).FindStringSubmatch(r.stdout)
		if line == nil {
			t.Fatalf("%s shows no usage line:\n%s", r, r.stdout)
		}
		u := usage{target: target}
		for _, a := range strings.Fields(line[1]) {
			u.args = append(u.args, strings.Trim(a, "<>"))
		}
		for _, m := range flagLine.FindAllStringSubmatch(r.stdout, -1) {
			u.flags = append(u.flags, flagUsage{name: m[1], typ: m[2], doc: strings.TrimSpace(m[3])})
		}
		us = append(us, u)
	}
	return us
}

// goodArgs are good values of the positional arguments ("target <arg>"), so
// that a case can reach what follows them.
var goodArgs = map[string]string{
	"anywhere <host>":   "host=192.0.2.1", // TEST-NET-1: no machine answers there
	"destroy <droplet>": "web1",
	"deleteImage <id>":  "190000001",
	"up <name>":         "web1",
}

// setups prepare a target's shell so that its cases reach the value under
// test: infect looks at digitalocean/authorized_keys before the API.
var setups = map[string]func(t *testing.T, f *fakeDO, sh *shell) []string{
	"infect": withKey,
}

// valueCase is a value that is bad for one flag or argument only: a name no
// check but that flag's knows to refuse.
type valueCase struct {
	class string
	value string
	want  []string // what the error says
	code  int      // 0 = 2, refused by the command line check; 1 = by the target, after reading the API
}

func long(c string) string { return strings.Repeat(c, 300) }

// badValues are the malformed and far too large values of every string
// flag ("-flag", or "target -flag" where the name means another thing) and
// every positional argument ("target <arg>"); flagCases fails for a flag or
// argument without both. Names the API knows (sizes, regions, images) are
// refused after reading its lists, whatever their length.
var badValues = map[string][]valueCase{
	"-name": {
		{class: "malformed", value: "web_1!", want: []string{`invalid droplet name "web_1!"`, "e.g. -name=web1"}},
		{class: "digits only", value: "123", want: []string{`invalid droplet name "123"`, "add a letter"}},
		{class: "far too large", value: long("a"), want: []string{`"` + long("a") + `"`, "at most 255"}},
	},
	"uploadImage -name": {
		{class: "malformed", value: "two\nlines", want: []string{`"two\nlines" holds a control character`, "e.g. -name="}},
		{class: "far too large", value: long("n"), want: []string{"300 characters long", "at most 255"}},
	},
	"-size": {
		{class: "malformed", value: "s-64vcpu-1tb", want: []string{`unknown size "s-64vcpu-1tb"`, "mage sizes"}, code: 1},
		{class: "far too large", value: long("s"), want: []string{`unknown size "` + long("s"), "mage sizes"}, code: 1},
	},
	"-region": {
		{class: "malformed", value: "atlantis1", want: []string{`unknown region "atlantis1"`, "use one of"}, code: 1},
		{class: "far too large", value: long("r"), want: []string{`unknown region "` + long("r"), "use one of"}, code: 1},
	},
	"-image": {
		{class: "malformed", value: "nixos-99-x64", want: []string{"nixos-99-x64", "mage images"}, code: 1},
		{class: "far too large", value: "99999999999999999999", want: []string{"99999999999999999999", "mage images"}, code: 1},
	},
	"-file": {
		{class: "malformed", value: "missing.qcow2.gz", want: []string{"missing.qcow2.gz", "mage buildImage"}, code: 1},
		{class: "far too large", value: strings.Repeat("f", 5000) + ".qcow2.gz", want: []string{strings.Repeat("f", 5000), "too long", "mage buildImage"}, code: 1},
	},
	"-addr": {
		{class: "malformed", value: "localhost", want: []string{`"localhost" is not host:port`, "e.g. -addr=127.0.0.1:8455"}},
		{class: "far too large", value: "127.0.0.1:70000", want: []string{`"127.0.0.1:70000" has port "70000"`, "from 0 to 65535"}},
	},
	"-ssh": {
		{class: "malformed", value: "127.0.0.1", want: []string{`"127.0.0.1" is not host:port`, "e.g. -ssh=127.0.0.1:22"}},
		{class: "zero", value: "127.0.0.1:0", want: []string{`"127.0.0.1:0" has port "0"`, "from 1 to 65535"}},
		{class: "far too large", value: "127.0.0.1:70000", want: []string{`"127.0.0.1:70000" has port "70000"`, "from 1 to 65535"}},
	},
	"-hosts": {
		{class: "malformed", value: "web_1!", want: []string{`host name "web_1!"`, "e.g. -hosts=web1,web2"}},
		{class: "an empty name in the list", value: "web1,,web2", want: []string{`"web1,,web2" names an empty host`}},
		{class: "far too large", value: long("w"), want: []string{`host name "` + long("w") + `"`, "at most 255"}},
	},
	"anywhere <host>": {
		{class: "malformed", value: "host=web_1!", want: []string{`"web_1!" is neither an IP address nor a droplet name or ID`, "e.g. `mage anywhere host=203.0.113.7`"}},
		{class: "zero", value: "host=0", want: []string{`"0" is neither an IP address`}},
		{class: "far too large", value: "host=" + long("h"), want: []string{`"` + long("h") + `" is neither`}},
		{class: "neither an address nor a droplet", value: "host=not-an-ip-or-droplet", want: []string{"not-an-ip-or-droplet", "mage list"}, code: 1},
	},
	"destroy <droplet>": {
		{class: "malformed", value: "web_1!", want: []string{`"web_1!" is not a droplet name or ID`, "mage list"}},
		{class: "zero", value: "0", want: []string{"no droplet has ID 0; IDs start at 1", "mage list"}},
		{class: "far too large", value: long("d"), want: []string{`"` + long("d") + `" is not a droplet name or ID`}},
		{class: "no such droplet", value: "no-such-droplet", want: []string{`no droplet named "no-such-droplet"`, "mage list"}, code: 1},
		{class: "no such droplet ID", value: "999999", want: []string{"no droplet with ID 999999", "mage list"}, code: 1},
	},
	"-route": {
		{class: "malformed", value: "image", want: []string{`unknown route "image"`, "use one of anywhere, infect"}},
		{class: "far too large", value: long("r"), want: []string{`unknown route "` + long("r") + `"`}},
	},
	"up <name>": {
		{class: "malformed", value: "web_1!", want: []string{`invalid droplet name "web_1!"`, "e.g. `mage up web1`"}},
		{class: "digits only", value: "123", want: []string{`invalid droplet name "123"`, "add a letter"}},
		{class: "far too large", value: long("a"), want: []string{`"` + long("a") + `"`, "at most 255"}},
	},
	"deleteImage <id>": {
		{class: "malformed", value: "latest", want: []string{`image ID "latest" is not a number`, "mage images"}},
		{class: "zero", value: "0", want: []string{"no image has ID 0", "mage images"}},
		{class: "far too large", value: "99999999999999999999", want: []string{"image ID 99999999999999999999 is larger than any ID"}},
		{class: "no such image", value: "999999", want: []string{"no image with ID 999999", "mage images"}, code: 1},
	},
}

// flagCases are the bad values of every flag and positional argument of
// every target, by the classes of bad value each kind takes: empty, a value
// missing after the flag, malformed, negative, zero where it means nothing,
// under the least and over the most the help states, far too large, given
// twice, a flag where an argument belongs, and an argument or flag the
// target does not take. A flag or argument `mage -h` shows that this cannot make cases for
// fails the test.
func flagCases(t *testing.T) []badInput {
	var cases []badInput
	for _, u := range usages(t) {
		base := []string{u.target}
		for _, a := range u.args {
			v, ok := goodArgs[u.target+" <"+a+">"]
			if !ok {
				t.Errorf("mage -h %s shows <%s>: add a good value of it to goodArgs, and its bad values to badValues", u.target, a)
			}
			base = append(base, v)
		}
		if u.has("dryrun") {
			// Should a check let a bad value through, nothing is changed.
			base = append(base, "-dryrun")
		}
		add := func(what string, args []string, want []string, code int) {
			cases = append(cases, badInput{
				name: u.target + " " + what, args: args, also: want, code: cmp.Or(code, 2), setup: setups[u.target],
			})
		}
		withFlag := func(arg string) []string {
			args := slices.Clone(base)
			if strings.HasPrefix(arg, "-dryrun") {
				// The case is -dryrun's own: given twice it would be refused as such.
				args = slices.DeleteFunc(args, func(a string) bool { return a == "-dryrun" })
			}
			return append(args, arg)
		}

		for i, a := range u.args {
			key := u.target + " <" + a + ">"
			replaced := func(v string) []string {
				args := slices.Clone(base)
				args[1+i] = v
				return args
			}
			example := "e.g. `mage " + u.target + " "
			add("<"+a+"> missing", base[:1+i], []string{u.target + " needs <" + a + ">", example}, 2)
			add("<"+a+"> empty", replaced(""), []string{"<" + a + "> is empty", example}, 2)
			flag := "-" + u.flags[0].name
			if u.has("dryrun") {
				flag = "-dryrun"
			}
			add("<"+a+"> a flag", replaced(flag), []string{strconv.Quote(flag) + " is a flag where <" + a + "> belongs", "put flags after it"}, 2)
			// Not a flag of the target: the fix is a good value, not "-5" after one.
			add("<"+a+"> negative", replaced("-5"), []string{`"-5" is not <` + a + ">", example}, 2)
			classes := map[string]bool{}
			for _, vc := range badValues[key] {
				classes[vc.class] = true
				add("<"+a+"> "+vc.class, replaced(vc.value), vc.want, vc.code)
			}
			if !classes["malformed"] || !classes["far too large"] {
				t.Errorf("mage -h %s shows <%s>: give badValues[%q] a malformed and a far too large value", u.target, a, key)
			}
		}

		for _, f := range u.flags {
			flag := "-" + f.name
			what := func(class string) string { return flag + " " + class }
			// mage would take the last value quietly, whatever the values.
			add(what("twice"), append(withFlag(flag+"=1"), strings.ToUpper(flag)+"=2"),
				[]string{strings.ToUpper(flag) + " is given twice (" + flag + "=1, then " + strings.ToUpper(flag) + "=2)", "give it once"}, 2)
			switch f.typ {
			case "bool":
				add(what("empty"), withFlag(flag+"="), []string{flag + " is empty", "e.g. " + flag + "=false"}, 2)
				add(what("malformed"), withFlag(flag+"=maybe"), []string{flag + "=maybe is not true or false", "e.g. " + flag + "=false"}, 2)
			case "time.Duration", "int":
				m := bounds.FindStringSubmatch(f.doc)
				if m == nil {
					t.Errorf("mage -h %s: %s says %q, not its range and default (…, from MIN to MAX; default D)", u.target, flag, f.doc)
					continue
				}
				least, most, def := m[1], m[2], m[3]
				give := []string{"e.g. " + flag + "=", "from " + least + " to " + most, "(default " + def + ")"}
				bad := func(class, v string) {
					add(what(class), withFlag(flag+"="+v), append([]string{flag + "=" + v}, give...), 2)
				}
				add(what("empty"), withFlag(flag+"="), append([]string{flag + " is empty"}, give...), 2)
				add(what("without =value"), withFlag(flag), []string{flag + " needs a value", flag + "=" + def}, 2)
				if f.typ == "int" {
					bad("malformed", "5x")
					bad("negative", "-1")
					bad("far too large", "1000000000")
					n, err := strconv.Atoi(most)
					if err != nil {
						t.Fatalf("%s: most %q: %v", flag, most, err)
					}
					bad("just over the most", strconv.Itoa(n+1))
					if least != "0" {
						bad("zero", "0")
					}
					continue
				}
				bad("malformed", "5") // no unit
				bad("negative", "-5s")
				bad("far too large", "1000h")
				d, err := time.ParseDuration(most)
				if err != nil {
					t.Fatalf("%s: most %q: %v", flag, most, err)
				}
				bad("just over the most", (d + time.Second).String())
				if least != "0s" {
					bad("zero", "0s")
					l, err := time.ParseDuration(least)
					if err != nil {
						t.Fatalf("%s: least %q: %v", flag, least, err)
					}
					bad("under the least", (l / 2).String())
				}
			case "string":
				m := textDefault.FindStringSubmatch(f.doc)
				if m == nil {
					t.Errorf("mage -h %s: %s says %q, not its default (…; default D)", u.target, flag, f.doc)
					continue
				}
				add(what("empty"), withFlag(flag+"="), []string{flag + " is empty", "e.g. " + flag + "=", "(default " + m[1] + ")"}, 2)
				add(what("without =value"), withFlag(flag), []string{flag + " needs a value"}, 2)
				vcs, ok := badValues[u.target+" "+flag]
				if !ok {
					vcs = badValues[flag]
				}
				classes := map[string]bool{}
				for _, vc := range vcs {
					classes[vc.class] = true
					add(what(vc.class), withFlag(flag+"="+vc.value), vc.want, vc.code)
				}
				if !classes["malformed"] || !classes["far too large"] {
					t.Errorf("mage -h %s shows %s: give badValues[%q] a malformed and a far too large value", u.target, flag, flag)
				}
			default:
				t.Errorf("mage -h %s: %s is a %s, a kind of flag without classes of bad value here", u.target, flag, f.typ)
			}
		}

		add("an argument too many", withFlag("web1"), []string{`"web1" after ` + u.target, "one target runs per command"}, 2)
		add("an unknown flag", withFlag("-nosuchflag=1"), []string{"-nosuchflag", "mage -h " + u.target}, 2)
	}
	return cases
}
