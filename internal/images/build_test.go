package images

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
)

// fakeKVM is a stand-in for /dev/kvm that the test user can open.
func fakeKVM(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kvm")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func nixOnPath(file string) (string, error) { return "/nix/var/nix/profiles/default/bin/" + file, nil }

// fakeNix answers `nix build --out-link L` as Nix does: L becomes a symlink
// to a store directory holding the image (and nix-support, as nixpkgs makes).
func fakeNix(t *testing.T, imageName string) (*fakeRunner, string, string) {
	t.Helper()
	store := filepath.Join(t.TempDir(), "abc123-digital-ocean-image")
	os.MkdirAll(filepath.Join(store, "nix-support"), 0o755)
	_, _, sum := writeImage(t, store, imageName)
	os.Chmod(filepath.Join(store, imageName), 0o444) // the store is read-only
	r := &fakeRunner{do: func(c runner.Command) error {
		i := slices.Index(c.Args, "--out-link")
		if i < 0 {
			t.Errorf("nix run without --out-link: %q", c.Args)
			return errors.New("no out-link")
		}
		c.Stderr.Write([]byte("building '/nix/store/xyz-digital-ocean-image.drv'...\n"))
		return os.Symlink(store, c.Args[i+1])
	}}
	return r, store, sum
}

func TestBuildRunsNixAndPlacesImage(t *testing.T) {
	const name = "nixos-image-digital-ocean-25.11.20250101.abcdef0-x86_64-linux.qcow2.gz"
	r, _, sum := fakeNix(t, name)
	dir := filepath.Join(t.TempDir(), "images")
	var log bytes.Buffer
	a, err := Build(context.Background(), BuildOptions{Runner: r, LookPath: nixOnPath, KVM: fakeKVM(t), Dir: dir, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"nix", "--extra-experimental-features", "nix-command flakes", "build", "--print-build-logs",
		"--out-link", filepath.Join(dir, ".result"), ".#packages.x86_64-linux.digitalocean-image"}
	if len(r.cmds) != 1 {
		t.Fatalf("%d commands run, want 1", len(r.cmds))
	}
	if diff := cmp.Diff(want, append([]string{r.cmds[0].Name}, r.cmds[0].Args...)); diff != "" {
		t.Errorf("argv (-want +got):\n%s", diff)
	}
	if !strings.Contains(log.String(), "building") {
		t.Errorf("nix's log not passed on: %q", log.String())
	}
	if a.Path != filepath.Join(dir, name) || a.SHA256 != sum {
		t.Errorf("artifact %+v, want %s with sha256 %s", a, filepath.Join(dir, name), sum)
	}
	info, err := os.Stat(a.Path)
	if err != nil || info.Size() != a.Size || info.Mode().Perm() != 0o644 {
		t.Errorf("placed image: %v, %v; want %d bytes, mode 644", info, err, a.Size)
	}
	if _, err := os.Lstat(filepath.Join(dir, ".result")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("out-link left behind: %v", err)
	}
	if got, _ := Newest(dir); got != a.Path {
		t.Errorf("Newest after build = %q, want the built image (leftover temp files?)", got)
	}
	if a.SHA256 != sum {
		t.Errorf("sha256 = %s, want %s", a.SHA256, sum)
	}
}

func TestBuildWithoutNix(t *testing.T) {
	r := &fakeRunner{}
	noNix := func(string) (string, error) { return "", exec.ErrNotFound }
	_, err := Build(context.Background(), BuildOptions{Runner: r, LookPath: noNix, KVM: fakeKVM(t), Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "nix is not on PATH") || !strings.Contains(err.Error(), "install Nix") {
		t.Fatalf("err = %v, want nix missing explained", err)
	}
	if len(r.cmds) != 0 {
		t.Errorf("ran %v without nix", r.cmds)
	}
}

func TestBuildWithoutKVM(t *testing.T) {
	r := &fakeRunner{}
	missing := filepath.Join(t.TempDir(), "kvm")
	_, err := Build(context.Background(), BuildOptions{Runner: r, LookPath: nixOnPath, KVM: missing, Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), missing+" is missing") || !strings.Contains(err.Error(), "KVM-capable Linux host") || !errors.Is(err, ErrNoKVM) {
		t.Fatalf("err = %v, want missing KVM explained", err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("not one line: %q", err)
	}
	if len(r.cmds) != 0 {
		t.Errorf("ran %v without KVM", r.cmds)
	}
}

func TestBuildKVMNotWritable(t *testing.T) {
	kvm := fakeKVM(t)
	os.Chmod(kvm, 0o400)
	if os.Geteuid() == 0 {
		// Root opens any file for writing, but not a sysfs file that has
		// no write operation: that fails with EACCES, as /dev/kvm does for
		// a user outside the kvm group.
		kvm = "/sys/kernel/notes"
	}
	_, err := Build(context.Background(), BuildOptions{Runner: &fakeRunner{}, LookPath: nixOnPath, KVM: kvm, Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), kvm+" is not writable by you") || !strings.Contains(err.Error(), "usermod -aG kvm") {
		t.Fatalf("err = %v, want the kvm group advice", err)
	}
}

func TestBuildRemoteSkipsKVMCheck(t *testing.T) {
	r, _, _ := fakeNix(t, "disk.qcow2.gz")
	missing := filepath.Join(t.TempDir(), "kvm")
	if _, err := Build(context.Background(), BuildOptions{Runner: r, LookPath: nixOnPath, KVM: missing, Remote: true, Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
}

func TestBuildFailures(t *testing.T) {
	t.Run("nix fails", func(t *testing.T) {
		r := &fakeRunner{do: func(runner.Command) error { return errors.New("exit status 1") }}
		_, err := Build(context.Background(), BuildOptions{Runner: r, LookPath: nixOnPath, KVM: fakeKVM(t), Dir: t.TempDir()})
		if err == nil || !strings.Contains(err.Error(), "nix build .#packages.x86_64-linux.digitalocean-image failed") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("result without image", func(t *testing.T) {
		r, store, _ := fakeNix(t, "disk.qcow2.gz")
		os.Remove(filepath.Join(store, "disk.qcow2.gz"))
		_, err := Build(context.Background(), BuildOptions{Runner: r, LookPath: nixOnPath, KVM: fakeKVM(t), Dir: t.TempDir()})
		if err == nil || !strings.Contains(err.Error(), "holds 0 image files") {
			t.Fatalf("err = %v", err)
		}
	})
}
