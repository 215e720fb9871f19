package e2e

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
)

// BenchmarkCommands times whole processes answering `sizes` and `list`
// against one simulator, warm: doctl, bin/mage (what the dev shell calls
// mage), `go tool mage`, and the compiled magefiles alone. ns/op is one
// process from start to exit. doctl is taken from $DOCTL, else from PATH;
// without it its rows are skipped. For example:
//
//	DOCTL=$HOME/go/bin/doctl go test -run XXX -bench Commands -benchtime 20x ./internal/e2e/
func BenchmarkCommands(b *testing.B) {
	sim := dosim.New(dosim.Options{})
	defer sim.Close()
	srv := httptest.NewServer(sim)
	defer srv.Close()
	// One droplet of this repo's, so that list lists something.
	c, err := doapi.New(dosim.DefaultToken, doapi.Options{BaseURL: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := c.Droplets.Create(context.Background(), &godo.DropletCreateRequest{
		Name: "nixos-1", Region: "sfo3", Size: "s-1vcpu-2gb", Image: godo.DropletCreateImage{Slug: "debian-12-x64"},
		SSHKeys: []godo.DropletCreateSSHKey{}, Tags: []string{"nixos-systems"},
	}); err != nil {
		b.Fatal(err)
	}

	caches, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE").Output()
	if err != nil {
		b.Fatal(err)
	}
	home := b.TempDir()
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"DIGITALOCEAN_API_URL=" + srv.URL, "DIGITALOCEAN_ACCESS_TOKEN=" + dosim.DefaultToken,
		// The runner's warm Go caches, not new ones under HOME.
		"GOCACHE=" + strings.Fields(string(caches))[0], "GOMODCACHE=" + strings.Fields(string(caches))[1],
	}
	for _, name := range []string{"GOFLAGS", "GOTOOLCHAIN"} {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	doctl := os.Getenv("DOCTL")
	if doctl == "" {
		doctl, _ = exec.LookPath("doctl")
	}
	doctlArgs := []string{"--config", filepath.Join(home, "doctl.yaml"), "--api-url", srv.URL, "-t", dosim.DefaultToken, "compute"}
	commands := []struct {
		name string
		argv []string
	}{
		{"sizes/doctl", append(append([]string{doctl}, doctlArgs...), "size", "list")},
		{"sizes/bin-mage", []string{filepath.Join(repoRoot, "bin", "mage"), "sizes"}},
		{"sizes/go-tool-mage", []string{"go", "tool", "mage", "sizes"}},
		{"sizes/compiled", []string{mageBin, "sizes"}},
		{"list/doctl", append(append([]string{doctl}, doctlArgs...), "droplet", "list", "--tag-name", "nixos-systems")},
		{"list/bin-mage", []string{filepath.Join(repoRoot, "bin", "mage"), "list"}},
		{"list/go-tool-mage", []string{"go", "tool", "mage", "list"}},
		{"list/compiled", []string{mageBin, "list"}},
	}
	for _, c := range commands {
		b.Run(c.name, func(b *testing.B) {
			if c.argv[0] == "" {
				b.Skip("doctl not found: set DOCTL or put doctl on PATH")
			}
			mustRun(b, repoRoot, env, c.argv...) // warm: bin/mage compiles here once
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				mustRun(b, repoRoot, env, c.argv...)
			}
		})
	}
}

// mustRun runs argv in dir with env and fails b if it fails.
func mustRun(b *testing.B, dir string, env []string, argv ...string) {
	b.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = dir, env
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%v: %v\n%s", argv, err, out)
	}
}
