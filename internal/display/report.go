package display

import (
	"fmt"
	"io"

	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

// checkTable lists a report's checks under its subject.
var checkTable = Table[verify.Check]{
	Bare: true, Indent: "  ", Padding: 2,
	Columns: []Column[verify.Check]{
		{"Check", func(c verify.Check) string { return c.Name + ":" }},
		{"Status", func(c verify.Check) string { return string(c.Status) }},
		{"Detail", func(c verify.Check) string { return c.Detail }},
	},
}

// Report prints the checks of a preflight or a verification.
func Report(r verify.Report) Printable { return report(r) }

type report verify.Report

func (r report) JSON() any {
	if r.Checks == nil {
		r.Checks = []verify.Check{}
	}
	return verify.Report(r)
}

func (r report) Text(w io.Writer) error {
	if _, err := fmt.Fprintf(w, "%s:\n", r.Subject); err != nil {
		return err
	}
	return checkTable.List(r.Checks).Text(w)
}
