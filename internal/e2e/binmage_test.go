package e2e

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// compiling is what bin/mage says on stderr when it builds the magefiles.
const compiling = "mage: compiling the magefiles"

// magefileModule is a small module with a copy of bin/mage and one target,
// `say`, that prints what its library package returns: the tests change the
// module and see whether the next run built it again and what it printed.
type magefileModule struct {
	dir string
	env []string
}

func newMagefileModule(t *testing.T) *magefileModule {
	t.Helper()
	dir := t.TempDir()
	script, err := os.ReadFile(filepath.Join(repoRoot, "bin", "mage"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bin", "mage"), script, 0o755); err != nil {
		t.Fatal(err)
	}
	// mage comes from the module cache, pinned as this repository pins it.
	var sums []string
	f, err := os.Open(filepath.Join(repoRoot, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if strings.HasPrefix(sc.Text(), "github.com/magefile/mage ") {
			sums = append(sums, sc.Text())
		}
	}
	m := &magefileModule{dir: dir}
	m.write(t, "go.sum", strings.Join(sums, "\n")+"\n")
	m.write(t, "go.mod", "module example.com/m\n\ngo 1.25.0\n\ntool github.com/magefile/mage\n\nrequire github.com/magefile/mage v1.17.2\n")
	m.write(t, "magefiles/magefile.go", "//go:build mage\n\npackage main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/m/lib\"\n)\n\n"+
		"// Say prints what lib says.\nfunc Say() { fmt.Println(lib.Words()) }\n")
	m.write(t, "lib/lib.go", "package lib\n\nvar extra string\n\n// Words is what the target prints.\nfunc Words() string { return \"one\" + extra }\n")

	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	caches := strings.Fields(string(out))
	m.env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "XDG_CACHE_HOME=" + t.TempDir(),
		// The Go caches of whoever runs the tests: warm, and with mage in them.
		"GOCACHE=" + caches[0], "GOMODCACHE=" + caches[1], "GOPROXY=off", "GOTOOLCHAIN=local", "GOFLAGS=",
	}
	return m
}

func (m *magefileModule) write(t *testing.T, name, content string) {
	t.Helper()
	path := filepath.Join(m.dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, content)
}

func (m *magefileModule) remove(t *testing.T, name string) {
	t.Helper()
	if err := os.Remove(filepath.Join(m.dir, name)); err != nil {
		t.Fatal(err)
	}
}

// say runs `bin/mage say` with env added and returns what it printed and
// whether it compiled the magefiles first.
func (m *magefileModule) say(t *testing.T, env ...string) (said string, compiled bool) {
	t.Helper()
	cmd := exec.Command(filepath.Join(m.dir, "bin", "mage"), "say")
	cmd.Dir = m.dir
	cmd.Env = append(append([]string{}, m.env...), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("bin/mage say: %v\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
	}
	return strings.TrimSpace(stdout.String()), strings.Contains(stderr.String(), compiling)
}

// expect runs say and checks what it printed and whether it compiled.
func (m *magefileModule) expect(t *testing.T, why, want string, wantCompiled bool, env ...string) {
	t.Helper()
	said, compiled := m.say(t, env...)
	if said != want || compiled != wantCompiled {
		t.Errorf("%s: printed %q, compiled %t; want %q, compiled %t", why, said, compiled, want, wantCompiled)
	}
}

// bin/mage runs the compiled magefiles without compiling them again, until
// something that goes into the binary changes: then it never runs the old one.
func TestBinMageRebuildsOnlyWhenSourcesChange(t *testing.T) {
	t.Parallel()
	m := newMagefileModule(t)
	m.expect(t, "first run", "one", true)
	m.expect(t, "nothing changed", "one", false)

	m.write(t, "lib/lib.go", "package lib\n\nvar extra string\n\n// Words is what the target prints.\nfunc Words() string { return \"two\" + extra }\n")
	m.expect(t, "a Go file outside magefiles edited", "two", true)

	m.write(t, "lib/more.go", "package lib\n\nfunc init() { extra = \"+more\" }\n")
	m.expect(t, "a Go file added", "two+more", true)
	m.remove(t, "lib/more.go")
	// Back to sources built before: that build is still kept, and is the right one.
	m.expect(t, "the Go file deleted", "two", false)

	m.write(t, "lib/tagged.go", "//go:build extra\n\npackage lib\n\nfunc init() { extra = \"+tagged\" }\n")
	m.expect(t, "a file behind a build tag added", "two", true)
	m.expect(t, "GOFLAGS sets the tag", "two+tagged", true, "GOFLAGS=-tags=extra")
	m.expect(t, "GOFLAGS as before", "two", false)

	m.write(t, "lib/lib_test.go", "package lib\n")
	m.expect(t, "a test file, which is never compiled in, added", "two", false)

	gomod, err := os.ReadFile(filepath.Join(m.dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m.write(t, "go.mod", string(gomod)+"\n// a comment\n")
	m.expect(t, "go.mod edited", "two", true)
	gosum, err := os.ReadFile(filepath.Join(m.dir, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	m.write(t, "go.sum", string(gosum)+string(gosum))
	m.expect(t, "go.sum edited", "two", true)
}

// Runs that start together after a change build the magefiles once, and
// every one of them runs the new binary.
func TestBinMageConcurrentRunsBuildOnce(t *testing.T) {
	t.Parallel()
	m := newMagefileModule(t)
	m.expect(t, "first run", "one", true)
	m.write(t, "lib/lib.go", "package lib\n\nvar extra string\n\n// Words is what the target prints.\nfunc Words() string { return \"three\" + extra }\n")

	const runs = 4
	var wg sync.WaitGroup
	said := make([]string, runs)
	compiled := make([]bool, runs)
	for i := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			said[i], compiled[i] = m.say(t)
		}()
	}
	wg.Wait()
	builds := 0
	for i := range runs {
		if said[i] != "three" {
			t.Errorf("run %d printed %q, want three", i, said[i])
		}
		if compiled[i] {
			builds++
		}
	}
	if builds != 1 {
		t.Errorf("%d of %d concurrent runs compiled, want 1", builds, runs)
	}
}
