// Package cmdline checks a mage command line against what each target
// accepts, before mage parses it and before any target runs, so that a value
// that cannot be right is refused before anything is asked of DigitalOcean,
// let alone created there.
//
// One rule holds for every flag: a value typed on the command line is used as
// typed or refused; only a flag left out takes its default. So -timeout=0 and
// -name= are refused with the fix, never quietly read as "the default".
//
// The grammar is that of the argument parser mage 1.17 generates for the
// compiled magefiles (github.com/magefile/mage/parse, the targets' ExecCode):
// mage's own flags (-v, -l, -h, -t) first; then a target, matched without
// regard to case; its positional arguments, taken as they are even when they
// start with "-"; then its flags, each -name=value with the name in any case,
// a bool flag also bare; and the next argument not starting with "-" would be
// another target, which mage runs after the first has finished. Mage's own
// answers to a malformed value are terse and give no fix
// (`can't convert option "timeout" value "5" to time.Duration`), and to an
// extra argument it answers only after running the target before it; Check
// answers both first.
package cmdline

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Targets is what every target accepts.
type Targets []Target

// Target is one mage target: its name as `mage -l` shows it, its positional
// arguments in order and its flags.
type Target struct {
	Name  string
	Args  []Arg
	Flags []Flag
	// RefuseMageTimeout refuses mage's own -t for a target whose work must
	// be stopped, not dropped, when its time is up: it waits on a droplet,
	// runs nixos-anywhere, nix or deploy-rs, and says where it stopped.
	// When -t passes, the main that mage generates (mage/template.go at
	// v1.17.2) cancels the target's context and exits at once, without
	// waiting for the target as it does after a Ctrl-C: the report is lost,
	// and what the target started may run on, its stop signal racing the
	// exit. Its own -timeout, where it has one, bounds it instead.
	RefuseMageTimeout bool
}

// Arg is a positional argument.
type Arg struct {
	Name    string             // as `mage -h` shows it between < and >
	What    string             // what it is, e.g. "an IPv4 address or a droplet name"
	Example string             // a good value
	Check   func(string) error // nil: any value that is neither empty nor a flag
}

// Flag is a -name=value flag.
type Flag struct {
	Name  string // as `mage -h` shows it, without the dash
	Value Value
}

// Value is what a flag accepts.
type Value interface {
	// Type is mage's name of the flag's Go type, as `mage -h` shows it.
	Type() string
	// check checks v, the text after "-flag=".
	check(flag, v string) error
	// example is a good value.
	example() string
}

// Error is a command line refused. Its text is one line naming what was
// typed and what to type instead.
type Error struct{ msg string }

func (e *Error) Error() string { return e.msg }

// ExitStatus is the status mage gives a command line it refuses itself.
func (e *Error) ExitStatus() int { return 2 }

func errorf(format string, args ...any) error { return &Error{msg: fmt.Sprintf(format, args...)} }

// Check checks args, the arguments of the compiled magefiles (os.Args[1:]),
// and returns the first problem as an *Error. It returns nil where mage has
// the say: for -l and -h, without a target, and for a target not in ts,
// which mage refuses itself (`Unknown target specified: "x"`). getenv reads
// the variables through which `mage` passes -l and -h to the binary it
// compiled.
func (ts Targets) Check(args []string, getenv func(string) string) error {
	// Mage's own flags, parsed as the compiled magefiles parse them.
	fs := flag.NewFlagSet("mage", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	envBool := func(name string) bool { b, _ := strconv.ParseBool(getenv(name)); return b }
	envTimeout, _ := time.ParseDuration(getenv("MAGEFILE_TIMEOUT"))
	list := fs.Bool("l", envBool("MAGEFILE_LIST"), "")
	help := fs.Bool("h", envBool("MAGEFILE_HELP"), "")
	fs.Bool("v", false, "")
	timeout := fs.Duration("t", envTimeout, "")
	if err := fs.Parse(args); err != nil {
		// The compiled magefiles' main would print its usage and exit 0,
		// having run nothing: a script would take that for success.
		return errorf("%v: mage's own flags, before the target, are -v, -l, -h and -t=<duration>, e.g. -t=1h", err)
	}
	if *list || *help || fs.NArg() == 0 {
		return nil
	}
	if *timeout < 0 {
		// Mage would run the target with its deadline passed, and the
		// target would fail at its first request with "context deadline
		// exceeded".
		return errorf("-t=%s is negative: give mage -t the most the whole run may take, e.g. -t=1h, or leave it out (no bound but the target's own)", *timeout)
	}
	args = fs.Args()
	i := slices.IndexFunc(ts, func(t Target) bool { return strings.EqualFold(t.Name, args[0]) })
	if i < 0 {
		return nil
	}
	t := ts[i]
	if err := t.check(args[1:]); err != nil {
		return err
	}
	if *timeout > 0 && t.RefuseMageTimeout {
		return t.mageTimeout(*timeout)
	}
	return nil
}

// mageTimeout refuses mage's -t=d for t, pointing to t's own -timeout, or,
// for a target without one, to Ctrl-C, after which mage waits 5 s for the
// target before it exits.
func (t Target) mageTimeout(d time.Duration) error {
	refused := fmt.Sprintf("-t=%s is refused for %s: when it passes, mage exits at once, without waiting for %s to stop what it started and say where it stopped",
		Format(d), t.Name, t.Name)
	for _, f := range t.Flags {
		if own, ok := f.Value.(Duration); ok && f.Name == "timeout" {
			return errorf("%s; bound it with its own -timeout instead (from %s to %s, default %s), e.g. `%s -timeout=%s`",
				refused, Format(own.Min), Format(own.Max), Format(own.Default), t.example(""), Format(own.Default))
		}
	}
	return errorf("%s; leave -t out: Ctrl-C stops it, and mage gives it 5 s to stop what it started", refused)
}

// check checks what follows the target's name.
func (t Target) check(args []string) error {
	for i, a := range t.Args {
		if i >= len(args) {
			return errorf("%s needs <%s>, %s: e.g. `%s`", t.Name, a.Name, a.What, t.example(a.Example))
		}
		if err := t.checkArg(a, args[i]); err != nil {
			return err
		}
	}
	rest := args[len(t.Args):]
	if err := t.checkRepeats(rest); err != nil {
		return err
	}
	for len(rest) > 0 && strings.HasPrefix(rest[0], "-") {
		if err := t.checkFlag(rest[0]); err != nil {
			return err
		}
		rest = rest[1:]
	}
	if len(rest) > 0 {
		takes := "no arguments"
		switch {
		case len(t.Args) > 0:
			takes = t.usage() + " and flags"
		case len(t.Flags) > 0:
			takes = "flags only"
		}
		return errorf("%q after %s: %s takes %s, and one target runs per command; see `mage -h %s`", rest[0], t.Name, t.Name, takes, t.Name)
	}
	return nil
}

// checkRepeats refuses a flag given twice among the flags that follow the
// positional arguments: mage would quietly take the last value, so
// `-size=s-1vcpu-2gb -size=s-2vcpu-4gb` would plan the second.
func (t Target) checkRepeats(flags []string) error {
	first := map[string]string{} // a flag's name in lower case: the first time it was given
	for _, arg := range flags {
		if !strings.HasPrefix(arg, "-") {
			return nil // the end of this target's flags
		}
		name, _, _ := strings.Cut(arg[1:], "=")
		key := strings.ToLower(name)
		if prev, ok := first[key]; ok {
			return errorf("-%s is given twice (%s, then %s): mage would quietly use the last; give it once", name, prev, arg)
		}
		first[key] = arg
	}
	return nil
}

func (t Target) checkArg(a Arg, v string) error {
	switch {
	case v == "":
		return errorf("<%s> is empty: give %s, e.g. `%s`", a.Name, a.What, t.example(a.Example))
	case strings.HasPrefix(v, "-") && !t.hasFlag(v):
		// Not a flag of the target, such as -1: suggesting it after a good
		// value, as below, would suggest a command that fails again.
		return errorf("%q is not <%s>, %s, nor a flag of %s: e.g. `%s`", v, a.Name, a.What, t.Name, t.example(a.Example))
	case strings.HasPrefix(v, "-"):
		return errorf("%q is a flag where <%s> belongs: put flags after it, e.g. `%s %s`", v, a.Name, t.example(a.Example), v)
	case a.Check != nil:
		if err := a.Check(v); err != nil {
			return errorf("<%s>: %v; e.g. `%s`", a.Name, err, t.example(a.Example))
		}
	}
	return nil
}

func (t Target) checkFlag(arg string) error {
	name, v, valued := strings.Cut(arg[1:], "=")
	i := slices.IndexFunc(t.Flags, func(f Flag) bool { return strings.EqualFold(f.Name, name) })
	if i < 0 {
		if len(t.Flags) == 0 {
			return errorf("%s has no flags, so not %s; see `mage -h %s`", t.Name, arg, t.Name)
		}
		return errorf("%s has no flag -%s; its flags are %s (`mage -h %s`)", t.Name, name, t.flagList(), t.Name)
	}
	f := t.Flags[i]
	flag := "-" + f.Name
	if !valued {
		if _, isBool := f.Value.(Bool); isBool {
			return nil
		}
		return errorf("%s needs a value after =, as in %s=%s", flag, flag, f.Value.example())
	}
	return f.Value.check(flag, v)
}

// hasFlag reports whether arg ("-name" or "-name=value") names one of the
// target's flags.
func (t Target) hasFlag(arg string) bool {
	name, _, _ := strings.Cut(strings.TrimPrefix(arg, "-"), "=")
	return slices.ContainsFunc(t.Flags, func(f Flag) bool { return strings.EqualFold(f.Name, name) })
}

// usage is the target's positional arguments as `mage -h` shows them.
func (t Target) usage() string {
	var names []string
	for _, a := range t.Args {
		names = append(names, "<"+a.Name+">")
	}
	return strings.Join(names, " ")
}

// example is the target run with ex in place of its first argument ("" =
// that argument's own example) and good values for the others.
func (t Target) example(ex string) string {
	s := "mage " + t.Name
	for i, a := range t.Args {
		if i == 0 && ex != "" {
			s += " " + ex
		} else {
			s += " " + a.Example
		}
	}
	return s
}

func (t Target) flagList() string {
	var names []string
	for _, f := range t.Flags {
		names = append(names, "-"+f.Name)
	}
	return strings.Join(names, ", ")
}
