package images

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
)

// fakeRunner records commands and runs do, if set, in their place.
type fakeRunner struct {
	mu   sync.Mutex
	cmds []runner.Command
	do   func(runner.Command) error
}

func (f *fakeRunner) Run(_ context.Context, c runner.Command) error {
	f.mu.Lock()
	f.cmds = append(f.cmds, c)
	f.mu.Unlock()
	if f.do == nil {
		return nil
	}
	return f.do(c)
}

// writeImage writes a small gzip file at dir/name and returns its content's sha256.
func writeImage(t *testing.T, dir, name string) (path string, size int64, sum string) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(bytes.Repeat([]byte("QFI\xfb disk "), 4096))
	zw.Close()
	path = filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(buf.Bytes())
	return path, int64(buf.Len()), hex.EncodeToString(h[:])
}

// simClient starts a DigitalOcean simulator and returns it with the images
// service of a client whose retries are quick.
func simClient(t *testing.T, opts dosim.Options) (*dosim.Server, API) {
	t.Helper()
	sim := dosim.New(opts)
	t.Cleanup(sim.Close)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	c, err := doapi.New(dosim.DefaultToken, doapi.Options{BaseURL: srv.URL, MinWait: time.Millisecond, MaxWait: 20 * time.Millisecond, RequestTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return sim, c.Images
}
