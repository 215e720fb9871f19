package hosts

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
)

// File is one file of a host's folder besides host.json.
type File struct {
	Name    string
	From    string // where the content comes from, for the operator
	Content []byte // nil while it is yet to be copied (a dry run)
}

// Entry is a host's folder, to be written.
type Entry struct {
	Host  Host
	Files []File
}

// Meta is the entry's host.json.
func (e Entry) Meta() []byte {
	data, err := json.MarshalIndent(e.Host, "", "  ")
	if err != nil {
		panic(err) // a struct of strings always marshals
	}
	return append(data, '\n')
}

// Folder is the entry's folder under dir.
func (e Entry) Folder(dir string) string { return filepath.Join(dir, e.Host.Name) }

// Describe lists what the entry's folder under dir holds: host.json in
// full, the other files with where they come from.
func (e Entry) Describe(w io.Writer, dir string) error {
	folder := e.Folder(dir)
	meta := strings.TrimRight(string(e.Meta()), "\n")
	if _, err := fmt.Fprintf(w, "  %s:\n    %s\n", filepath.Join(folder, MetaFile), strings.ReplaceAll(meta, "\n", "\n    ")); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, f := range e.Files {
		fmt.Fprintf(tw, "  %s\tfrom %s\n", filepath.Join(folder, f.Name), f.From)
	}
	return tw.Flush()
}

// Write writes the entry's folder under dir, replacing the folder an
// earlier install of the same host left, and reports whether it did. The
// folder is written beside its place and renamed into it, so an
// interrupted write leaves the earlier entry or none, never half of one.
func (e Entry) Write(dir string) (replaced bool, err error) {
	if err := e.Host.check(); err != nil {
		return false, fmt.Errorf("host entry %s: %w", e.Host.Name, err)
	}
	want, _ := e.Host.Route.Files()
	var got []string
	for _, f := range e.Files {
		if f.Content == nil {
			return false, fmt.Errorf("host entry %s: %s has not been copied", e.Host.Name, f.Name)
		}
		got = append(got, f.Name)
	}
	if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
		return false, fmt.Errorf("host entry %s holds %v, route %s needs %v", e.Host.Name, got, e.Host.Route, want)
	}

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, fmt.Errorf("write host entry: %w", err)
	}
	// Names starting with a dot are not hosts, to Load and to the flake.
	tmp, err := os.MkdirTemp(dir, "."+e.Host.Name+".new-")
	if err != nil {
		return false, fmt.Errorf("write host entry: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return false, fmt.Errorf("write host entry: %w", err)
	}
	files := append([]File{{Name: MetaFile, Content: e.Meta()}}, e.Files...)
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(tmp, f.Name), f.Content, 0o644); err != nil {
			return false, fmt.Errorf("write host entry: %w", err)
		}
	}

	folder := e.Folder(dir)
	old := filepath.Join(dir, "."+e.Host.Name+".old")
	if err := os.RemoveAll(old); err != nil {
		return false, fmt.Errorf("write host entry: %w", err)
	}
	switch err := os.Rename(folder, old); {
	case err == nil:
		replaced = true
	case !errors.Is(err, fs.ErrNotExist):
		return false, fmt.Errorf("write host entry: %w", err)
	}
	if err := os.Rename(tmp, folder); err != nil {
		if replaced {
			err = errors.Join(err, os.Rename(old, folder))
		}
		return false, fmt.Errorf("write host entry: %w", err)
	}
	return replaced, os.RemoveAll(old)
}
