package images

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
)

// DefaultDir is where built images go, relative to the repository root; the
// directory is git-ignored.
const DefaultDir = "images"

// DefaultInstallable is the flake package that builds the DigitalOcean image
// from digitalocean/custom-image.nix, pinned by flake.lock. It is the flake's
// .#digitalocean-image spelled out, because the flake offers that package for
// x86_64-linux only and a Mac building through a remote builder would
// otherwise look it up under its own system.
const DefaultInstallable = ".#packages.x86_64-linux.digitalocean-image"

// DefaultKVM is the device nixpkgs' image builder boots its VM with.
const DefaultKVM = "/dev/kvm"

// outLink is the build result's symlink inside the image directory; it
// protects the result from garbage collection until the image is copied out.
const outLink = ".result"

// BuildOptions says how to build. The zero value builds for real.
type BuildOptions struct {
	Runner   runner.Runner                     // nil = run for real, interrupted when ctx ends
	LookPath func(file string) (string, error) // nil = exec.LookPath
	KVM      string                            // KVM device; "" = DefaultKVM
	Remote   bool                              // a remote builder with the kvm feature builds: skip the local KVM check
	Dir      string                            // where the image is placed; "" = DefaultDir
	Log      io.Writer                         // nix's build log; nil = discarded
}

func (o *BuildOptions) defaults() {
	if o.Runner == nil {
		o.Runner = execRunner
	}
	if o.LookPath == nil {
		o.LookPath = exec.LookPath
	}
	if o.KVM == "" {
		o.KVM = DefaultKVM
	}
	if o.Dir == "" {
		o.Dir = DefaultDir
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
}

// Build builds the image with Nix and copies it into the image directory.
// It checks for Nix and KVM first: without KVM the build fails only after
// fetching and building everything up to the disk image.
func Build(ctx context.Context, o BuildOptions) (Artifact, error) {
	o.defaults()
	if _, err := o.LookPath("nix"); err != nil {
		return Artifact{}, errors.New("nix is not on PATH: the image is built with Nix and KVM; install Nix (https://nixos.org/download), or run this on a KVM-capable Linux host that has it")
	}
	if !o.Remote {
		if err := checkKVM(o.KVM); err != nil {
			return Artifact{}, err
		}
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return Artifact{}, fmt.Errorf("create image directory: %w", err)
	}
	link := filepath.Join(o.Dir, outLink)
	defer os.Remove(link)
	argv := runner.Nix("build", "--print-build-logs", "--out-link", link, DefaultInstallable)
	err := o.Runner.Run(ctx, runner.Command{Name: argv[0], Args: argv[1:], Stdout: o.Log, Stderr: o.Log})
	if err != nil {
		if ctx.Err() != nil {
			return Artifact{}, fmt.Errorf("nix build %s interrupted: %w", DefaultInstallable, ctx.Err())
		}
		return Artifact{}, fmt.Errorf("nix build %s failed (its log is above; a flake sees only files git knows, so `git add` new ones): %w", DefaultInstallable, err)
	}
	src, err := findImage(link)
	if err != nil {
		return Artifact{}, err
	}
	return copyImage(src, filepath.Join(o.Dir, filepath.Base(src)))
}

// checkKVM opens the KVM device the way the build's VM will.
func checkKVM(dev string) error {
	f, err := os.OpenFile(dev, os.O_RDWR, 0)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ErrNoKVM.Errorf("%s is missing: the image build boots a VM and needs KVM; run on a KVM-capable Linux host (bare metal or nested virtualisation)", dev)
	case errors.Is(err, fs.ErrPermission):
		return ErrNoKVM.Errorf("%s is not writable by you: the image build needs KVM; join its group (`sudo usermod -aG kvm $USER`, then log in again)", dev)
	case err != nil:
		return ErrNoKVM.Errorf("%s cannot be opened (%w): the image build needs KVM; run on a KVM-capable Linux host", dev, err)
	}
	return f.Close()
}

// findImage returns the one image file in the build result dir.
func findImage(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("read the build result: %w", err)
	}
	var found []string
	for _, e := range entries {
		if suffixOf(e.Name()) != "" {
			found = append(found, filepath.Join(dir, e.Name()))
		}
	}
	if len(found) != 1 {
		target, _ := os.Readlink(dir)
		return "", fmt.Errorf("build result %s holds %d image files, want one named *%s: check the flake's digitalocean-image package", target, len(found), suffixes[0])
	}
	return found[0], nil
}

// copyImage copies the image out of the read-only Nix store, hashing it on
// the way. It writes a temporary file and renames it, so an interrupted copy
// never leaves a truncated image for uploadImage to pick as the newest.
func copyImage(src, dst string) (Artifact, error) {
	in, err := os.Open(src)
	if err != nil {
		return Artifact{}, fmt.Errorf("open built image: %w", err)
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".copy-*")
	if err != nil {
		return Artifact{}, fmt.Errorf("copy built image: %w", err)
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), in)
	if err == nil {
		err = tmp.Chmod(0o644) // the static host serves the file with the mode rsync gives it
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		return Artifact{}, fmt.Errorf("copy built image to %s: %w", dst, err)
	}
	return Artifact{Path: dst, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}
