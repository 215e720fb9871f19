package app

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"github.com/google/go-cmp/cmp"

	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/images"
	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// imageSim is fastSim with imports that take a moment, as they do for real.
var imageSim = func() dosim.Options { o := fastSim; o.ImportTime = 100 * time.Millisecond; return o }()

// staticHost is a loopback web server over a directory that rsync reaches
// through a loopback sshd: the pair stands in for static.gleipnir.technology.
type staticHost struct {
	Dir  string // what the web server serves
	Dest string // rsync destination of Dir
	SSH  string // rsync's remote shell for Dest
	URL  string // web address of Dir, ending in /
}

func newStaticHost(t *testing.T) staticHost {
	t.Helper()
	sshtest.Require(t, "rsync", "rsync")
	s := sshtest.Start(t)
	dir := t.TempDir()
	web := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(web.Close)
	return staticHost{
		Dir:  dir,
		Dest: fmt.Sprintf("%s@%s:%s/", s.User, s.Host, dir),
		SSH: fmt.Sprintf("ssh -F /dev/null -p %d -i %s -o IdentitiesOnly=yes -o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes -o BatchMode=yes",
			s.Port, s.ClientKeyFile, s.KnownHostsFile(t)),
		URL: web.URL + "/",
	}
}

// gzipImage writes a small gzip file named name and returns its path.
func gzipImage(t *testing.T, name string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(bytes.Repeat([]byte("QFI\xfb nixos "), 8192))
	zw.Close()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// uploadImage runs `mage uploadImage` for a fresh image and returns its ID.
func uploadImage(t *testing.T, te *testEnv, host staticHost) int {
	t.Helper()
	te.Settings.PublishDest, te.Settings.PublicURL = host.Dest, host.URL
	file := gzipImage(t, "nixos-image-digital-ocean-25.11.20250101.abcdef0-x86_64-linux.qcow2.gz")
	if err := UploadImage(context.Background(), te.Env, UploadOptions{File: file, SSH: host.SSH}); err != nil {
		t.Fatalf("upload: %v\n%s", err, te.Stderr)
	}
	fields := strings.Fields(strings.Split(te.Stdout.String(), "\n")[1])
	id, err := strconv.Atoi(fields[0])
	if err != nil {
		t.Fatalf("no image ID first on the second line of:\n%s", te.Stdout)
	}
	te.Stdout.Reset()
	te.Stderr.Reset()
	return id
}

func TestUploadImagePublishesImportsAndWaits(t *testing.T) {
	te := newTestEnv(t, imageSim)
	host := newStaticHost(t)
	te.Settings.PublishDest, te.Settings.PublicURL = host.Dest, host.URL
	file := gzipImage(t, "nixos-image-digital-ocean-25.11.20250101.abcdef0-x86_64-linux.qcow2.gz")
	if err := UploadImage(context.Background(), te.Env, UploadOptions{File: file, SSH: host.SSH}); err != nil {
		t.Fatalf("upload: %v\n%s", err, te.Stderr)
	}
	want, _ := os.ReadFile(file)
	got, err := os.ReadFile(filepath.Join(host.Dir, filepath.Base(file)))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("static host has %d bytes (%v), want the %d-byte image", len(got), err, len(want))
	}

	var body struct {
		Name, URL, Region, Distribution, Description string
		Tags                                         []string
	}
	for _, r := range te.Sim.Requests() {
		if r.Method == "POST" && r.Path == "/v2/images" {
			json.Unmarshal(r.Body, &body)
		}
	}
	if body.Name != "nixos-image-digital-ocean-25.11.20250101.abcdef0-x86_64-linux" || body.URL != host.URL+filepath.Base(file) ||
		body.Region != te.Settings.Region || body.Distribution != "Unknown" || !strings.Contains(body.Description, "sha256 ") {
		t.Errorf("import request = %+v", body)
	}
	if !cmp.Equal(body.Tags, te.Settings.AllTags()) {
		t.Errorf("tags = %v, want %v", body.Tags, te.Settings.AllTags())
	}

	rows, err := images.List(context.Background(), te.Client.Images)
	if err != nil || len(rows) != 1 || rows[0].Status != images.StatusAvailable {
		t.Fatalf("images after upload: %+v, %v", rows, err)
	}
	id := rows[0].ID
	if !strings.HasPrefix(strings.Split(te.Stdout.String(), "\n")[1], strconv.Itoa(id)+" ") {
		t.Errorf("stdout does not show image %d:\n%s", id, te.Stdout)
	}
	for _, s := range []string{"100%", "answers HEAD", "is pending", "is available", fmt.Sprintf("next: mage create -image=%d -ipv6=false", id), "image is not compatible with ipv6"} {
		if !strings.Contains(te.Stderr.String(), s) {
			t.Errorf("stderr lacks %q:\n%s", s, te.Stderr)
		}
	}
}

func TestUploadImageChecksBeforeUploading(t *testing.T) {
	host := newStaticHost(t)
	notGzip := filepath.Join(t.TempDir(), "disk.qcow2.gz")
	os.WriteFile(notGzip, []byte("QFI\xfb"), 0o644)
	good := gzipImage(t, "disk.qcow2.gz")
	tests := []struct {
		name, file, dest, url, want string
	}{
		{"not gzip", notGzip, host.Dest, host.URL, "is not gzip"},
		{"bad name", gzipImage(t, "disk.qcow2"), host.Dest, host.URL, "DigitalOcean imports only names ending in"},
		{"public URL without slash", good, host.Dest, strings.TrimSuffix(host.URL, "/"), "IMAGE_PUBLIC_URL="},
		{"destination without slash", good, strings.TrimSuffix(host.Dest, "/"), host.URL, "must end with /"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			te := newTestEnv(t, imageSim)
			te.Settings.PublishDest, te.Settings.PublicURL = tc.dest, tc.url
			err := UploadImage(context.Background(), te.Env, UploadOptions{File: tc.file, SSH: host.SSH})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if entries, _ := os.ReadDir(host.Dir); len(entries) != 0 {
				t.Errorf("uploaded %v despite the error", entries)
			}
			if n := te.mutations(); n != 0 {
				t.Errorf("%d changing requests sent", n)
			}
		})
	}
}

func TestUploadImageWithoutImages(t *testing.T) {
	te := newTestEnv(t, imageSim)
	t.Chdir(t.TempDir())
	err := UploadImage(context.Background(), te.Env, UploadOptions{})
	if err == nil || !strings.Contains(err.Error(), "no image in images/") {
		t.Fatalf("err = %v, want advice to build an image", err)
	}
}

func TestUploadImageStopsWhenNotServed(t *testing.T) {
	te := newTestEnv(t, imageSim)
	host := newStaticHost(t)
	te.Settings.PublishDest = host.Dest
	te.Settings.PublicURL = host.URL + "elsewhere/" // serves nothing: the usual mismatch of the two settings
	err := UploadImage(context.Background(), te.Env, UploadOptions{File: gzipImage(t, "disk.qcow2.gz"), SSH: host.SSH})
	if err == nil || !strings.Contains(err.Error(), "answered 404") {
		t.Fatalf("err = %v, want the 404 explained", err)
	}
	if n := te.mutations(); n != 0 {
		t.Errorf("%d changing requests sent for an image DigitalOcean could not fetch", n)
	}
}

func TestUploadImageReportsFailedImport(t *testing.T) {
	opts := imageSim
	opts.ImportError = "Unable to read the image: unsupported format"
	te := newTestEnv(t, opts)
	host := newStaticHost(t)
	te.Settings.PublishDest, te.Settings.PublicURL = host.Dest, host.URL
	err := UploadImage(context.Background(), te.Env, UploadOptions{File: gzipImage(t, "disk.qcow2.gz"), SSH: host.SSH})
	if err == nil || !strings.Contains(err.Error(), opts.ImportError) {
		t.Fatalf("err = %v, want DigitalOcean's error_message", err)
	}
	if te.Stdout.Len() != 0 {
		t.Errorf("stdout after a failed import:\n%s", te.Stdout)
	}
}

func TestUploadImageTimeout(t *testing.T) {
	opts := imageSim
	opts.ImportTime = time.Hour
	te := newTestEnv(t, opts)
	host := newStaticHost(t)
	te.Settings.PublishDest, te.Settings.PublicURL = host.Dest, host.URL
	err := UploadImage(context.Background(), te.Env, UploadOptions{File: gzipImage(t, "disk.qcow2.gz"), SSH: host.SSH, Timeout: 200 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "mage images") {
		t.Fatalf("err = %v, want a timeout pointing at `mage images`", err)
	}
}

// The custom-image route's known end: DigitalOcean refuses IPv6 on a droplet
// from a custom image. The operator must see DigitalOcean's own answer, then
// what it means, and be left with nothing to clean up.
func TestCreateFromCustomImageWithIPv6IsRefusedAndExplained(t *testing.T) {
	te := newTestEnv(t, imageSim)
	id := uploadImage(t, te, newStaticHost(t))

	err := Create(context.Background(), te.Env, Overrides{Image: ptr(strconv.Itoa(id)), IPv6: ptr(true)}, false)
	if err == nil {
		t.Fatal("created a custom-image droplet with IPv6")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "create droplet nixos-1: ") {
		t.Errorf("error does not say what was refused first:\n%s", msg)
	}
	var er *godo.ErrorResponse
	if !errors.As(err, &er) || er.RequestID == "" || !strings.Contains(msg, er.RequestID) {
		t.Errorf("error does not carry DigitalOcean's answer and its request ID:\n%s", msg)
	}
	do := strings.Index(msg, "422")
	theirs := strings.Index(msg, "image is not compatible with ipv6")
	ours := strings.Index(msg, droplets.ErrCustomImageIPv6.Error())
	if do < 0 || theirs < 0 || ours < 0 || !(do < theirs && theirs < ours) {
		t.Errorf("error does not show DigitalOcean's 422 and message, then the explanation:\n%s", msg)
	}
	if !errors.Is(err, droplets.ErrCustomImageIPv6) {
		t.Errorf("error does not wrap ErrCustomImageIPv6: %v", err)
	}
	if !strings.Contains(te.Stderr.String(), fmt.Sprintf("image %d is a custom image and IPv6 is on", id)) {
		t.Errorf("no warning before sending:\n%s", te.Stderr)
	}
	if te.Stdout.Len() != 0 {
		t.Errorf("stdout after the refusal:\n%s", te.Stdout)
	}
	if ds := te.Sim.Droplets(); len(ds) != 0 {
		t.Errorf("left %d droplet(s) behind", len(ds))
	}
}

func TestCreateFromCustomImageWithoutIPv6(t *testing.T) {
	te := newTestEnv(t, imageSim)
	id := uploadImage(t, te, newStaticHost(t))

	if err := Create(context.Background(), te.Env, Overrides{Image: ptr(strconv.Itoa(id)), IPv6: ptr(false)}, false); err != nil {
		t.Fatalf("create: %v\n%s", err, te.Stderr)
	}
	ds := te.Sim.Droplets()
	if len(ds) != 1 || ds[0].Image == nil || ds[0].Image.ID != id {
		t.Fatalf("droplets = %+v, want one from image %d", ds, id)
	}
	if v6, _ := ds[0].PublicIPv6(); v6 != "" {
		t.Errorf("custom-image droplet got IPv6 %s", v6)
	}
	if !strings.Contains(te.Stdout.String(), ds[0].Name) {
		t.Errorf("stdout does not show the droplet:\n%s", te.Stdout)
	}
}

func TestImagesListAndDelete(t *testing.T) {
	te := newTestEnv(t, imageSim)
	id := uploadImage(t, te, newStaticHost(t))
	ctx := context.Background()

	if err := Images(ctx, te.Env, false); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Per Month", strconv.Itoa(id), "available", "Total: 1 image(s)"} {
		if !strings.Contains(te.Stdout.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, te.Stdout)
		}
	}
	te.Stdout.Reset()
	if err := Images(ctx, te.Env, true); err != nil {
		t.Fatal(err)
	}
	var rows []images.Image
	if err := json.Unmarshal(te.Stdout.Bytes(), &rows); err != nil || len(rows) != 1 || rows[0].ID != id || float64(rows[0].MonthlyCost) != math.Round(rows[0].SizeGB*images.PricePerGBMonth*100)/100 {
		t.Fatalf("JSON rows %+v (%v) from:\n%s", rows, err, te.Stdout)
	}

	te.In = strings.NewReader("n\n")
	if err := DeleteImage(ctx, te.Env, strconv.Itoa(id), false, false); err == nil || !strings.Contains(err.Error(), "pass -yes") {
		t.Fatalf("answering n: err = %v", err)
	}
	if err := DeleteImage(ctx, te.Env, strconv.Itoa(id), true, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(te.Stdout.String(), fmt.Sprintf("deleted image nixos-image-digital-ocean-25.11.20250101.abcdef0-x86_64-linux (id %d)", id)) {
		t.Errorf("stdout:\n%s", te.Stdout)
	}
	if rows, _ := images.List(ctx, te.Client.Images); len(rows) != 0 {
		t.Errorf("images after delete: %+v", rows)
	}
}

func TestBuildImageWithoutNix(t *testing.T) {
	te := newTestEnv(t, fastSim)
	noNix := func(string) (string, error) { return "", exec.ErrNotFound }
	err := BuildImage(context.Background(), te.Env, images.BuildOptions{LookPath: noNix, Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "nix is not on PATH") {
		t.Fatalf("err = %v", err)
	}
}

// nixStub stands in for `nix build --out-link L`: L becomes a link to store.
type nixStub struct{ store string }

func (n nixStub) Run(_ context.Context, c runner.Command) error {
	return os.Symlink(n.store, c.Args[slices.Index(c.Args, "--out-link")+1])
}

func TestBuildImagePrintsWhatItBuilt(t *testing.T) {
	te := newTestEnv(t, fastSim)
	built := gzipImage(t, "nixos-image-digital-ocean-25.11-x86_64-linux.qcow2.gz")
	kvm := filepath.Join(t.TempDir(), "kvm")
	os.WriteFile(kvm, nil, 0o600)
	dir := t.TempDir()
	onPath := func(f string) (string, error) { return "/usr/bin/" + f, nil }
	if err := BuildImage(context.Background(), te.Env, images.BuildOptions{Runner: nixStub{filepath.Dir(built)}, LookPath: onPath, KVM: kvm, Dir: dir}); err != nil {
		t.Fatal(err)
	}
	placed := filepath.Join(dir, filepath.Base(built))
	data, err := os.ReadFile(built)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	for _, s := range []string{"path:   " + placed, "sha256: " + hex.EncodeToString(sum[:]), " bytes)"} {
		if !strings.Contains(te.Stdout.String(), s) {
			t.Errorf("stdout lacks %q:\n%s", s, te.Stdout)
		}
	}
	if !strings.Contains(te.Stderr.String(), "next: mage uploadImage -file="+placed) {
		t.Errorf("stderr:\n%s", te.Stderr)
	}
}

func importPOSTs(te *testEnv) int {
	n := 0
	for _, r := range te.Sim.Requests() {
		if r.Method == "POST" && r.Path == "/v2/images" {
			n++
		}
	}
	return n
}

// Uploading the same file again, or after the import's answer was lost,
// reuses the import instead of paying for a second copy.
func TestUploadImageNeverImportsTwice(t *testing.T) {
	te := newTestEnv(t, imageSim)
	host := newStaticHost(t)
	first := uploadImage(t, te, host)
	second := uploadImage(t, te, host)
	if first != second || importPOSTs(te) != 1 {
		t.Errorf("images %d and %d from %d imports, want one", first, second, importPOSTs(te))
	}

	lost := newTestEnv(t, imageSim)
	lost.Sim.AddFault(dosim.Fault{Method: "POST", Path: "/v2/images", DropAfterHandling: true, Times: 1})
	uploadImage(t, lost, host)
	if n := importPOSTs(lost); n != 1 {
		t.Errorf("%d import requests after a lost answer, want 1", n)
	}
}
