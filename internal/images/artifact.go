package images

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// suffixes are the file names DigitalOcean imports that this tool can check:
// a raw (.img), qcow2, VHDX, VDI or VMDK disk, gzip-compressed. DigitalOcean
// also takes bzip2, but the Nix build makes gzip and gzip is what Inspect
// verifies by its magic bytes.
var suffixes = []string{".qcow2.gz", ".img.gz", ".vhdx.gz", ".vdi.gz", ".vmdk.gz"}

// gzipMagic starts every gzip stream (RFC 1952).
var gzipMagic = []byte{0x1f, 0x8b}

// Artifact is an image file that passed Inspect.
type Artifact struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Name is the artifact's file name, which is also its name on the static host.
func (a Artifact) Name() string { return filepath.Base(a.Path) }

// suffixOf returns the accepted suffix name ends with, or "".
func suffixOf(name string) string {
	for _, s := range suffixes {
		if strings.HasSuffix(name, s) && len(name) > len(s) {
			return s
		}
	}
	return ""
}

// BaseName is a file name without its image suffix: the default name of the
// imported image.
func BaseName(file string) string {
	name := filepath.Base(file)
	return strings.TrimSuffix(name, suffixOf(name))
}

// Inspect checks that path is a file DigitalOcean can import, judging by its
// name and its first bytes, and hashes it so what was imported can be traced
// back to a build.
func Inspect(path string) (Artifact, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Artifact{}, ErrNoImageFile.Errorf("image file %s does not exist", path)
	}
	if err != nil {
		// Unreadable or a name too long: not a file to upload either.
		return Artifact{}, ErrNoImageFile.Errorf("open image file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return Artifact{}, fmt.Errorf("stat image file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return Artifact{}, ErrNoImageFile.Errorf("image file %s is not a regular file", path)
	}
	if suffixOf(filepath.Base(path)) == "" {
		return Artifact{}, fmt.Errorf("image file %s: DigitalOcean imports only names ending in %s (a raw, qcow2, VHDX, VDI or VMDK disk, gzipped); rename or recompress it",
			path, strings.Join(suffixes, ", "))
	}
	head := make([]byte, len(gzipMagic))
	if n, _ := io.ReadFull(f, head); n < len(head) || head[0] != gzipMagic[0] || head[1] != gzipMagic[1] {
		return Artifact{}, fmt.Errorf("image file %s is not gzip (it starts with %x, not 1f8b): compress the disk with `gzip` and name it *%s", path, head[:n], suffixes[0])
	}
	h := sha256.New()
	h.Write(head)
	if _, err := io.Copy(h, f); err != nil {
		return Artifact{}, fmt.Errorf("read image file %s: %w", path, err)
	}
	return Artifact{Path: path, Size: info.Size(), SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// Newest returns the most recently modified image file in dir.
func Newest(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("look for images in %s: %w", dir, err)
	}
	var newest string
	var newestInfo fs.FileInfo
	for _, e := range entries {
		if !e.Type().IsRegular() || suffixOf(e.Name()) == "" {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		if newestInfo == nil || info.ModTime().After(newestInfo.ModTime()) {
			newest, newestInfo = filepath.Join(dir, e.Name()), info
		}
	}
	if newest == "" {
		return "", ErrNoImageFile.Errorf("no image in %s/", dir)
	}
	return newest, nil
}
