package e2e

import (
	"compress/gzip"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// imageFile writes a small gzipped file with a name uploadImage accepts.
func imageFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "nixos-e2e.qcow2.gz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	if _, err := zw.Write([]byte("QFI\xfb not a real disk, but gzip as uploadImage checks")); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// publishLocally points uploadImage at a publishing host on this machine:
// rsync copies into a local directory, which a real HTTP server serves, so
// the upload and the HEAD check run for real.
func publishLocally(t *testing.T, sh *shell) {
	t.Helper()
	dir := t.TempDir()
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	sh.set("IMAGE_PUBLISH_DEST", dir+"/", "IMAGE_PUBLIC_URL", srv.URL+"/")
}

// onlyImage returns the ID of the one image `mage images -json` lists.
func onlyImage(t *testing.T, sh *shell) string {
	t.Helper()
	r := sh.run(t, "images", "-json")
	mustSucceed(t, r)
	var rows []struct{ ID int }
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 1 {
		t.Fatalf("%s printed %d images (%v), want the one imported:\n%s", r, len(rows), err, r.stdout)
	}
	return strconv.Itoa(rows[0].ID)
}
