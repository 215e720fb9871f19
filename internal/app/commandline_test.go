package app

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/Gleipnir-Technology/nixos-systems/internal/cmdline"
)

// magefileTarget is a target as the magefiles declare it: what mage makes
// of a func's parameters, and each flag's comment, which `mage -h` shows.
type magefileTarget struct {
	Name  string
	Args  []string // positional parameters
	Flags []string // "-name=<type>" as `mage -h` shows them
	Docs  map[string]string
}

// readMagefiles parses the magefiles as mage does: every exported func is a
// target; a context is passed by mage, a pointer is an optional flag, the
// rest are positional arguments.
func readMagefiles(t *testing.T) []magefileTarget {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join("..", "..", "magefiles", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no magefiles: %v", err)
	}
	var targets []magefileTarget
	for _, path := range files {
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		comments := map[int]string{} // line → the comment on it
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				comments[fset.Position(c.Pos()).Line] = strings.TrimSpace(strings.TrimPrefix(c.Text, "//"))
			}
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !fn.Name.IsExported() {
				continue
			}
			mt := magefileTarget{Name: strings.ToLower(fn.Name.Name[:1]) + fn.Name.Name[1:], Docs: map[string]string{}}
			for _, p := range fn.Type.Params.List {
				typ := types(p.Type)
				for _, n := range p.Names {
					switch {
					case typ == "context.Context":
					case strings.HasPrefix(typ, "*"):
						flag := "-" + strings.ToLower(n.Name)
						mt.Flags = append(mt.Flags, flag+"=<"+typ[1:]+">")
						mt.Docs[flag] = comments[fset.Position(n.Pos()).Line]
					default:
						mt.Args = append(mt.Args, n.Name)
					}
				}
			}
			targets = append(targets, mt)
		}
	}
	return targets
}

func types(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return "*" + types(e.X)
	case *ast.SelectorExpr:
		return types(e.X) + "." + e.Sel.Name
	case *ast.Ident:
		return e.Name
	}
	return fmt.Sprintf("%T", e)
}

// CommandLine has every target, positional argument and flag the magefiles
// declare, with mage's types, and nothing else: a flag added to a magefile
// without a rule here fails this test (and would be refused by the check).
func TestCommandLineMatchesMagefiles(t *testing.T) {
	declared := map[string]magefileTarget{}
	for _, mt := range readMagefiles(t) {
		declared[mt.Name] = mt
	}
	checked := map[string]bool{}
	for _, ct := range CommandLine {
		checked[ct.Name] = true
		mt, ok := declared[ct.Name]
		if !ok {
			t.Errorf("CommandLine has target %s, which no magefile declares", ct.Name)
			continue
		}
		var args, flags []string
		for _, a := range ct.Args {
			args = append(args, a.Name)
		}
		for _, f := range ct.Flags {
			flags = append(flags, "-"+f.Name+"=<"+f.Value.Type()+">")
		}
		if diff := cmp.Diff(mt.Args, args); diff != "" {
			t.Errorf("positional arguments of %s: magefile (-) vs CommandLine (+):\n%s", ct.Name, diff)
		}
		if diff := cmp.Diff(mt.Flags, flags); diff != "" {
			t.Errorf("flags of %s: magefile (-) vs CommandLine (+):\n%s", ct.Name, diff)
		}
	}
	for name := range declared {
		if !checked[name] {
			t.Errorf("target %s has no entry in CommandLine, so nothing checks its flags", name)
		}
	}
}

// The flag comments, which are what `mage -h` shows, state the bounds and
// the default CommandLine enforces.
func TestFlagCommentsStateTheRules(t *testing.T) {
	docs := map[string]map[string]string{}
	for _, mt := range readMagefiles(t) {
		docs[mt.Name] = mt.Docs
	}
	for _, ct := range CommandLine {
		for _, f := range ct.Flags {
			doc := docs[ct.Name]["-"+f.Name]
			var want string
			switch v := f.Value.(type) {
			case cmdline.Duration:
				want = fmt.Sprintf("from %s to %s; default %s", cmdline.Format(v.Min), cmdline.Format(v.Max), cmdline.Format(v.Default))
			case cmdline.Int:
				want = fmt.Sprintf("from %d to %d; default %d", v.Min, v.Max, v.Default)
			case cmdline.Text:
				want = "; default " + v.Default
			}
			if !strings.HasSuffix(doc, want) {
				t.Errorf("mage -h %s: -%s says %q; want it to end with %q", ct.Name, f.Name, doc, want)
			}
		}
	}
}
