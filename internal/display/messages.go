package display

import (
	"fmt"
	"io"
)

// Removed prints that a thing was deleted.
func Removed(r Removal) Printable { return r }

// Removal is a droplet or image that was deleted.
type Removal struct {
	Verb string `json:"-"`    // "destroyed", "deleted"
	Kind string `json:"kind"` // "droplet", "image"
	Name string `json:"name"`
	ID   int    `json:"id"`
}

func (r Removal) JSON() any { return r }

func (r Removal) Text(w io.Writer) error {
	_, err := fmt.Fprintf(w, "%s %s %s (id %d)\n", r.Verb, r.Kind, r.Name, r.ID)
	return err
}

// Commands prints commands for the operator to read or paste, under a
// title, each quoted by line.
func Commands(title string, cmds [][]string, line func([]string) string) Printable {
	cs := make([]command, len(cmds))
	for i, argv := range cmds {
		cs[i] = command{Argv: argv, Line: line(argv)}
	}
	return commands{title, cs}
}

type commands struct {
	title string
	cmds  []command
}

func (c commands) JSON() any { return c.cmds }

func (c commands) Text(w io.Writer) error {
	if _, err := fmt.Fprintf(w, "%s:\n", c.title); err != nil {
		return err
	}
	for _, cmd := range c.cmds {
		if _, err := fmt.Fprintf(w, "  %s\n", cmd.Line); err != nil {
			return err
		}
	}
	return nil
}

// command is one command line: its argv, and the line quoted for a shell.
type command struct {
	Argv []string `json:"argv"`
	Line string   `json:"command"`
}

// Exports prints environment variables as shell export lines.
func Exports(names []string, values map[string]string) Printable { return exports{names, values} }

type exports struct {
	names  []string // in the order printed
	values map[string]string
}

func (e exports) JSON() any { return e.values }

func (e exports) Text(w io.Writer) error {
	for _, n := range e.names {
		if _, err := fmt.Fprintf(w, "export %s=%s\n", n, e.values[n]); err != nil {
			return err
		}
	}
	return nil
}
