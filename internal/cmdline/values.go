package cmdline

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Bool is a bool flag: -f, -f=true or -f=false (and the other spellings
// strconv.ParseBool takes, as mage does).
type Bool struct{}

func (Bool) Type() string    { return "bool" }
func (Bool) example() string { return "false" }

func (Bool) check(flag, v string) error {
	fix := fmt.Sprintf("e.g. %s=false, or %s alone for true", flag, flag)
	if v == "" {
		return errorf("%s is empty: %s", flag, fix)
	}
	if _, err := strconv.ParseBool(v); err != nil {
		return errorf("%s is not true or false: %s", typed(flag, v), fix)
	}
	return nil
}

// Text is a string flag. Empty is refused; Check, when set, refuses what is
// not What, naming the value.
type Text struct {
	What    string // what the value is, e.g. "a droplet name"
	Default string // what leaving the flag out means, as `mage -h` says it
	Example string // a good value
	Check   func(string) error
}

func (Text) Type() string      { return "string" }
func (t Text) example() string { return t.Example }

func (t Text) check(flag, v string) error {
	if v == "" {
		return errorf("%s is empty: give %s, e.g. %s=%s, or leave the flag out (default %s)", flag, t.What, flag, t.Example, t.Default)
	}
	if t.Check != nil {
		if err := t.Check(v); err != nil {
			return errorf("%s: %v; e.g. %s=%s", flag, err, flag, t.Example)
		}
	}
	return nil
}

// Duration is a time.Duration flag from Min to Max. A Min above zero makes
// it the bound of a wait, which zero would end at once; a Min of zero lets
// zero mean "at once".
type Duration struct {
	Min, Max time.Duration
	Default  time.Duration // what leaving the flag out means
}

func (Duration) Type() string      { return "time.Duration" }
func (d Duration) example() string { return Format(d.Default) }

func (d Duration) check(flag, v string) error {
	give := fmt.Sprintf("give a duration from %s to %s, e.g. %s=%s, or leave the flag out (default %s)",
		Format(d.Min), Format(d.Max), flag, Format(d.Default), Format(d.Default))
	if v == "" {
		return errorf("%s is empty: %s", flag, give)
	}
	x, err := time.ParseDuration(v)
	if err != nil && durationSyntax.MatchString(v) {
		// Beyond what a time.Duration holds (about 290 years).
		x, err = d.Max+1, nil
		if strings.HasPrefix(v, "-") {
			x = -1
		}
	}
	switch {
	case err != nil:
		return errorf("%s is not a duration (a number and a unit, as in 90s, 10m or 1h30m): %s", typed(flag, v), give)
	case x < 0:
		return errorf("%s is negative: %s", typed(flag, v), give)
	case x == 0 && d.Min > 0:
		return errorf("%s would end the wait at once: %s", typed(flag, v), give)
	case x < d.Min:
		return errorf("%s is under %s, the least it may be: %s", typed(flag, v), Format(d.Min), give)
	case x > d.Max:
		return errorf("%s is over %s, the most it may be: %s", typed(flag, v), Format(d.Max), give)
	}
	return nil
}

// Int is an int flag from Min to Max.
type Int struct {
	Min, Max int
	Default  int // what leaving the flag out means
}

func (Int) Type() string      { return "int" }
func (n Int) example() string { return strconv.Itoa(n.Default) }

func (n Int) check(flag, v string) error {
	give := fmt.Sprintf("give a whole number from %d to %d, e.g. %s=%d, or leave the flag out (default %d)", n.Min, n.Max, flag, n.Default, n.Default)
	if v == "" {
		return errorf("%s is empty: %s", flag, give)
	}
	// Beyond what an int holds, Atoi answers the nearest int it can.
	x, err := strconv.Atoi(v)
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange):
		return errorf("%s is not a whole number: %s", typed(flag, v), give)
	case x < 0 && n.Min >= 0:
		return errorf("%s is negative: %s", typed(flag, v), give)
	case x < n.Min:
		return errorf("%s is under %d, the least it may be: %s", typed(flag, v), n.Min, give)
	case x > n.Max:
		return errorf("%s is over %d, the most it may be: %s", typed(flag, v), n.Max, give)
	}
	return nil
}

// typed is a flag as the operator typed it.
func typed(flag, v string) string { return flag + "=" + v }

// Format writes d as `mage -h` and the README do: 10m, 1h, 1h30m, 8s.
func Format(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// durationSyntax is what time.ParseDuration reads, of any size: a value
// written so that it fails to parse is too large, not malformed.
var durationSyntax = regexp.MustCompile(`^[-+]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`)
