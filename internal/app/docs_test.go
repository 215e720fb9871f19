package app

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// CI must run exactly the test command the README gives users.
func TestCIRunsTheReadmeTestCommand(t *testing.T) {
	readme := readRepoFile(t, "README.md")
	block := regexp.MustCompile("(?s)Run all tests:\\s*```\\s*\\n(.*?)\\n```").FindStringSubmatch(readme)
	if block == nil {
		t.Fatal("README has no 'Run all tests:' code block")
	}
	lines := strings.Split(strings.TrimSpace(readRepoFile(t, ".ci/run")), "\n")
	if last := lines[len(lines)-1]; last != strings.TrimSpace(block[1]) {
		t.Errorf(".ci/run ends with\n  %s\nbut the README's test command is\n  %s", last, block[1])
	}
}

// Every target in the magefiles appears in the README's target table.
func TestReadmeDocumentsEveryTarget(t *testing.T) {
	readme := readRepoFile(t, "README.md")
	files, err := filepath.Glob(filepath.Join("..", "..", "magefiles", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no magefiles: %v", err)
	}
	target := regexp.MustCompile(`(?m)^func ([A-Z]\w*)\(`)
	n := 0
	for _, f := range files {
		src, _ := os.ReadFile(f)
		for _, m := range target.FindAllStringSubmatch(string(src), -1) {
			name := strings.ToLower(m[1][:1]) + m[1][1:]
			n++
			if !strings.Contains(readme, "| `"+name+"` |") {
				t.Errorf("target %s (%s) is not in the README's target table", name, filepath.Base(f))
			}
		}
	}
	if n < 12 {
		t.Errorf("found only %d targets", n)
	}
}
