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

// Command prints a command line for the operator to read or paste, under a title.
func Command(title string, argv []string, line string) Printable {
	return command{Title: title, Argv: argv, Line: line}
}

type command struct {
	Title string   `json:"-"`
	Argv  []string `json:"argv"`
	Line  string   `json:"command"` // argv quoted for a shell
}

func (c command) JSON() any { return c }

func (c command) Text(w io.Writer) error {
	_, err := fmt.Fprintf(w, "%s:\n  %s\n", c.Title, c.Line)
	return err
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
