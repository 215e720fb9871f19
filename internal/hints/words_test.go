package hints_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/Gleipnir-Technology/nixos-systems/internal/app"
)

// Words naming the flags live in this package, beside the targets': a
// string in another package that writes one (-timeout=…, -dryrun) would
// go stale when the flag is renamed. The command line's own table and
// checker, which define the flags, are the exceptions.
func TestFlagNamesOnlyInHints(t *testing.T) {
	names := map[string]bool{}
	for _, target := range app.CommandLine {
		for _, f := range target.Flags {
			names[regexp.QuoteMeta(f.Name)] = true
		}
	}
	var alts []string
	for n := range names {
		alts = append(alts, n)
	}
	// A flag as the operator types it: a dash after a space, a bracket or
	// a backquote (not inside a word such as nixos-anywhere), then the
	// name, then = or the end of the word.
	flag := regexp.MustCompile("(^|[\\s(`])-(" + strings.Join(alts, "|") + ")(=|$|[\\s),;`])")
	exempt := map[string]bool{
		"internal/hints":                 true,
		"internal/cmdline":               true,
		"internal/app/commandline.go":    true,
		"internal/e2e":                   true, // tests, run through the binary
		"internal/settings/settingstest": true,
	}
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(filepath.Join(root, "internal"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if exempt[rel] {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			if m := flag.FindString(s); m != "" {
				t.Errorf("%s writes the flag %q in %q: put the words in internal/hints", rel, strings.TrimSpace(m), s)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
