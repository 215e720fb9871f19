package display

import (
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/cmdline"
	"github.com/Gleipnir-Technology/nixos-systems/internal/deploy"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
)

// HostEntry prints the folder a route writes for a host under dir.
func HostEntry(e hosts.Entry, dir string) Printable { return hostEntry{e, dir} }

type hostEntry struct {
	e   hosts.Entry
	dir string
}

func (h hostEntry) JSON() any {
	type file struct {
		Name string `json:"name"`
		From string `json:"from"`
	}
	files := make([]file, len(h.e.Files))
	for i, f := range h.e.Files {
		files[i] = file{filepath.Join(h.e.Folder(h.dir), f.Name), f.From}
	}
	return struct {
		Folder string     `json:"folder"`
		Host   hosts.Host `json:"host"`
		Files  []file     `json:"files"`
	}{h.e.Folder(h.dir), h.e.Host, files}
}

func (h hostEntry) Text(w io.Writer) error {
	if _, err := fmt.Fprintln(w, "host entry (written once the droplet runs NixOS; commit it):"); err != nil {
		return err
	}
	if err := h.e.Describe(w, h.dir); err != nil {
		return err
	}
	if h.e.Host.Address == "" {
		_, err := fmt.Fprintln(w, "  (address: the droplet's public IPv4, once it exists)")
		return err
	}
	return nil
}

// Deploys prints the outcome of a deploy, a host a row.
func Deploys(results []deploy.Result) Printable {
	return Table[deploy.Result]{Columns: []Column[deploy.Result]{
		{"Host", func(r deploy.Result) string { return r.Host }},
		{"Result", func(r deploy.Result) string { return string(r.Status) }},
		{"Time", func(r deploy.Result) string { return cmdline.Format(r.Took.Round(time.Second)) }},
		{"Detail", func(r deploy.Result) string { return r.Detail }},
	}}.List(results)
}
