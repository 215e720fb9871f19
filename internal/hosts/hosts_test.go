package hosts

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const testKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl root@web1"

// writeHost writes a valid folder for h under dir, plus extra files.
func writeHost(t *testing.T, dir string, h Host) {
	t.Helper()
	files, err := h.Route.Files()
	if err != nil {
		t.Fatal(err)
	}
	e := Entry{Host: h}
	for _, f := range files {
		content := "{ }\n"
		if f == HostKeyFile {
			content = testKey + "\n"
		}
		e.Files = append(e.Files, File{Name: f, Content: []byte(content)})
	}
	if _, err := e.Write(dir); err != nil {
		t.Fatalf("write %s: %v", h.Name, err)
	}
}

func mustNew(t *testing.T, name string, route Route, addr string) Host {
	t.Helper()
	h, err := New(name, route, addr, "25.11")
	if err != nil {
		t.Fatalf("New(%q): %v", name, err)
	}
	return h
}

func TestNewSplitsTheNameAsHostnameDoes(t *testing.T) {
	h := mustNew(t, "test2.nidus.cloud", Infect, "203.0.113.7")
	want := Host{Name: "test2.nidus.cloud", Hostname: "test2", Domain: "nidus.cloud", Route: Infect, Address: "203.0.113.7", StateVersion: "25.11"}
	if diff := cmp.Diff(want, h); diff != "" {
		t.Errorf("New (-want +got):\n%s", diff)
	}
	if h := mustNew(t, "web1", Anywhere, "203.0.113.8"); h.Hostname != "web1" || h.Domain != "" {
		t.Errorf("web1: hostname %q, domain %q", h.Hostname, h.Domain)
	}
}

func TestNewRefusesWhatTheFlakeCannotTake(t *testing.T) {
	for _, tc := range []struct {
		name, route, addr, sv, want string
	}{
		{"-web", "anywhere", "203.0.113.7", "25.11", `host name "-web"`},
		{"digitalocean", "anywhere", "203.0.113.7", "25.11", "generic configuration"},
		{strings.Repeat("a", 64) + ".example.com", "anywhere", "203.0.113.7", "25.11", "not a hostname label"},
		{"web1", "colmena", "203.0.113.7", "25.11", `route "colmena"`},
		{"web1", "anywhere", "2001:db8::1", "25.11", "not an IPv4 address"},
		{"web1", "anywhere", "web1", "25.11", "not an IPv4 address"},
		{"web1", "anywhere", "203.0.113.7", "unstable", "not a NixOS release"},
	} {
		_, err := New(tc.name, Route(tc.route), tc.addr, tc.sv)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%q, %q, %q, %q) = %v, want an error containing %q", tc.name, tc.route, tc.addr, tc.sv, err, tc.want)
		}
	}
}

func TestLoadReadsEveryFolder(t *testing.T) {
	dir := t.TempDir()
	web := mustNew(t, "web1", Anywhere, "203.0.113.7")
	cheap := mustNew(t, "cheap.example.com", Infect, "203.0.113.8")
	writeHost(t, dir, web)
	writeHost(t, dir, cheap)
	// Neither a file nor a folder Write left half-made is a host.
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("hosts\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, ".web2.new-123"), 0o755); err != nil {
		t.Fatal(err)
	}

	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Host{cheap, web}, got); diff != "" {
		t.Errorf("Load (-want +got):\n%s", diff)
	}
	key, err := web.HostKey(dir)
	if err != nil || key.Type() != "ssh-ed25519" {
		t.Errorf("HostKey = %v, %v", key, err)
	}
}

func TestLoadWithoutFolderHasNoHosts(t *testing.T) {
	got, err := Load(filepath.Join(t.TempDir(), "hosts"))
	if err != nil || got != nil {
		t.Errorf("Load = %v, %v; want no hosts, no error", got, err)
	}
}

func TestLoadNamesTheBrokenFile(t *testing.T) {
	for _, tc := range []struct {
		name    string
		breakIt func(t *testing.T, folder string)
		want    string
	}{
		{"no host.json", func(t *testing.T, f string) { remove(t, f, MetaFile) }, "needs its host.json"},
		{"unknown field", func(t *testing.T, f string) {
			write(t, f, MetaFile, `{"hostname":"web1","route":"anywhere","address":"203.0.113.7","stateVersion":"25.11","port":22}`)
		}, `host.json: json: unknown field "port"`},
		{"hostname not from the folder", func(t *testing.T, f string) {
			write(t, f, MetaFile, `{"hostname":"web2","route":"anywhere","address":"203.0.113.7","stateVersion":"25.11"}`)
		}, `do not make up the host name "web1"`},
		{"route file missing", func(t *testing.T, f string) { remove(t, f, DiskConfigFile) }, "lacks disk-config.nix"},
		{"host key not a key", func(t *testing.T, f string) { write(t, f, HostKeyFile, "ssh-ed25519 garbage") }, "is not an OpenSSH public key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeHost(t, dir, mustNew(t, "web1", Anywhere, "203.0.113.7"))
			tc.breakIt(t, filepath.Join(dir, "web1"))
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestSelect(t *testing.T) {
	a, b, c := mustNew(t, "a", Anywhere, "203.0.113.1"), mustNew(t, "b", Infect, "203.0.113.2"), mustNew(t, "c", Anywhere, "203.0.113.3")
	all := []Host{a, b, c}
	got, err := Select(all, nil)
	if err != nil || len(got) != 3 {
		t.Errorf("Select(all, nil) = %v, %v; want every host", got, err)
	}
	got, err = Select(all, []string{"c", "a", "c"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Host{c, a}, got); diff != "" {
		t.Errorf("Select in the order named, once each (-want +got):\n%s", diff)
	}
	_, err = Select(all, []string{"a", "web9"})
	var unknown *UnknownError
	if !errors.As(err, &unknown) || unknown.Name != "web9" || !strings.Contains(err.Error(), "hosts: a, b, c") {
		t.Errorf("Select(web9) = %v, want an UnknownError naming web9 and the hosts", err)
	}
	if _, err := Select(nil, []string{"web9"}); err == nil || !strings.Contains(err.Error(), "there are no hosts yet") {
		t.Errorf("Select with no hosts = %v", err)
	}
}

func write(t *testing.T, folder, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(folder, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func remove(t *testing.T, folder, name string) {
	t.Helper()
	if err := os.Remove(filepath.Join(folder, name)); err != nil {
		t.Fatal(err)
	}
}

// The flake's checks evaluate hosts/default.nix on these test hosts; the
// tool must read them the same way.
func TestLoadReadsTheFlakesTestHosts(t *testing.T) {
	got, err := Load(filepath.Join("..", "..", "nix", "checks", "testdata", "hosts"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Host{
		{Name: "cheap1.example.com", Hostname: "cheap1", Domain: "example.com", Route: Infect, Address: "203.0.113.8", StateVersion: "23.11"},
		{Name: "web1", Hostname: "web1", Route: Anywhere, Address: "203.0.113.7", StateVersion: "25.11"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Load (-want +got):\n%s", diff)
	}
	// And the repository's own hosts/ holds only valid entries.
	if _, err := Load(filepath.Join("..", "..", Dir)); err != nil {
		t.Errorf("hosts/: %v", err)
	}
}

func TestUntrackedHostsAreInvisibleToTheFlake(t *testing.T) {
	repo := t.TempDir()
	if out, err := exec.Command("git", "init", "-q", repo).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v: %s", err, out)
	}
	dir := filepath.Join(repo, "hosts")
	web1, web2 := mustNew(t, "web1", Anywhere, "203.0.113.7"), mustNew(t, "web2", Anywhere, "203.0.113.8")
	writeHost(t, dir, web1)
	writeHost(t, dir, web2)
	if out, err := exec.Command("git", "-C", repo, "add", "hosts/web1").CombinedOutput(); err != nil {
		t.Fatalf("git add: %v: %s", err, out)
	}
	if got := Untracked(dir, []Host{web1, web2}); !cmp.Equal(got, []string{"web2"}) {
		t.Errorf("Untracked = %v, want web2", got)
	}
	// Outside a git work tree the flake reads every file.
	plain := t.TempDir()
	writeHost(t, plain, web1)
	if got := Untracked(plain, []Host{web1}); got != nil {
		t.Errorf("Untracked outside git = %v", got)
	}
}
