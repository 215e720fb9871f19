// Package display is the one way targets print their results on stdout, in
// the style of doctl's displayers: each printable thing (a size, a droplet,
// an image, a report …) describes its table columns and its JSON once, here,
// and every target prints it through Print. One object therefore has one
// JSON shape everywhere: the JSON of a droplet from `create -json` is an
// element of `list -json`.
//
// To add a printable type: describe its columns as a Table of it (or write
// a Printable for a shape that is not a table), give it a constructor here
// that returns a Printable, and print it with Print.
package display

import (
	"encoding/json"
	"io"
	"strings"
	"text/tabwriter"
)

// Printable is a result a target prints: as text for people, as JSON for
// programs.
type Printable interface {
	Text(w io.Writer) error
	JSON() any // the value whose encoding is the JSON form
}

// Print writes p to w, as indented JSON when asJSON, else as text.
func Print(w io.Writer, asJSON bool, p Printable) error {
	if !asJSON {
		return p.Text(w)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p.JSON())
}

// Column is one column of a table of T: its header and each row's cell.
type Column[T any] struct {
	Header string
	Cell   func(T) string
}

// Table describes, once, how values of T print as a table. Their JSON is
// T's own encoding.
type Table[T any] struct {
	Columns []Column[T]
	Total   func([]T) []string // a list's last row, one cell a column; nil = none
	Padding int                // spaces between columns; 0 = 3
	Bare    bool               // no header line
	Indent  string             // before every line
}

// List is items as a table (with its totals), or as a JSON array.
func (t Table[T]) List(items []T) Printable {
	if items == nil {
		items = []T{} // JSON [] rather than null
	}
	return list[T]{t, items, true}
}

// One is item as a one-row table, or as a JSON object.
func (t Table[T]) One(item T) Printable { return one[T]{t, item} }

type list[T any] struct {
	t      Table[T]
	items  []T
	totals bool
}

func (l list[T]) JSON() any { return l.items }

func (l list[T]) Text(w io.Writer) error {
	var rows [][]string
	if !l.t.Bare {
		header := make([]string, len(l.t.Columns))
		for i, c := range l.t.Columns {
			header[i] = c.Header
		}
		rows = append(rows, header)
	}
	for _, item := range l.items {
		row := make([]string, len(l.t.Columns))
		for i, c := range l.t.Columns {
			row[i] = c.Cell(item)
		}
		rows = append(rows, row)
	}
	if l.totals && l.t.Total != nil {
		rows = append(rows, l.t.Total(l.items))
	}
	return writeRows(w, rows, l.t.Padding, l.t.Indent)
}

type one[T any] struct {
	t    Table[T]
	item T
}

func (o one[T]) JSON() any { return o.item }

func (o one[T]) Text(w io.Writer) error { return list[T]{o.t, []T{o.item}, false}.Text(w) }

// writeRows aligns rows in columns, as doctl's tables are.
func writeRows(w io.Writer, rows [][]string, padding int, indent string) error {
	if padding == 0 {
		padding = 3
	}
	tw := tabwriter.NewWriter(w, 0, 4, padding, ' ', 0)
	for _, r := range rows {
		if _, err := io.WriteString(tw, indent+strings.Join(r, "\t")+"\n"); err != nil {
			return err
		}
	}
	return tw.Flush()
}

// dash shows a missing value.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
