package images

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestInspectAcceptsGzippedImage(t *testing.T) {
	path, size, sum := writeImage(t, t.TempDir(), "nixos-image-digital-ocean-25.11-x86_64-linux.qcow2.gz")
	a, err := Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	if a.Path != path || a.Size != size || a.SHA256 != sum {
		t.Errorf("Inspect = %+v, want %s, %d bytes, sha256 %s", a, path, size, sum)
	}
	if a.Name() != "nixos-image-digital-ocean-25.11-x86_64-linux.qcow2.gz" {
		t.Errorf("Name() = %q", a.Name())
	}
}

func TestInspectRejects(t *testing.T) {
	dir := t.TempDir()
	good, _, _ := writeImage(t, dir, "disk.img.gz")
	data, _ := os.ReadFile(good)
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "gone.qcow2.gz"), "does not exist"},
		{"directory", dir + "/", "not a regular file"},
		{"xz", write("disk.qcow2.xz", data), "DigitalOcean imports only names ending in .qcow2.gz, .img.gz"},
		{"no format", write("disk.gz", data), "names ending in"},
		{"plain qcow2", write("raw.qcow2.gz", []byte("QFI\xfb\x00\x00\x00\x03")), "is not gzip (it starts with 5146, not 1f8b)"},
		{"empty", write("empty.qcow2.gz", nil), "is not gzip (it starts with , not 1f8b)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Inspect(tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("not one line: %q", err)
			}
			if tc.name == "missing" && !errors.Is(err, ErrNoImageFile) {
				t.Errorf("err = %v, want ErrNoImageFile", err)
			}
		})
	}
}

func TestNewestPicksLatestImage(t *testing.T) {
	dir := t.TempDir()
	old, _, _ := writeImage(t, dir, "a.qcow2.gz")
	latest, _, _ := writeImage(t, dir, "b.img.gz")
	ignored, _, _ := writeImage(t, dir, "c.tar.gz")
	now := time.Now()
	os.Chtimes(old, now.Add(-2*time.Hour), now.Add(-2*time.Hour))
	os.Chtimes(latest, now.Add(-time.Hour), now.Add(-time.Hour))
	os.Chtimes(ignored, now, now)
	got, err := Newest(dir)
	if err != nil || got != latest {
		t.Errorf("Newest = %q, %v; want %q", got, err, latest)
	}
}

func TestNewestWithoutImages(t *testing.T) {
	for _, dir := range []string{t.TempDir(), filepath.Join(t.TempDir(), "images")} {
		_, err := Newest(dir)
		if !errors.Is(err, ErrNoImageFile) || !strings.Contains(err.Error(), "no image in "+dir) {
			t.Errorf("Newest(%s) err = %v, want ErrNoImageFile", dir, err)
		}
	}
}

func TestBaseName(t *testing.T) {
	for in, want := range map[string]string{
		"images/nixos-25.11.qcow2.gz": "nixos-25.11",
		"disk.img.gz":                 "disk",
		"odd.gz":                      "odd.gz",
	} {
		if got := BaseName(in); got != want {
			t.Errorf("BaseName(%q) = %q, want %q", in, got, want)
		}
	}
}
