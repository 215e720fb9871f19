package dosim

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"
)

// exchange is one answer the simulator gave during a test, kept so that
// every answer can be checked against the spec's required fields.
type exchange struct {
	method, path string
	status       int
	body         []byte
}

// recorder sits between the test server and the simulator and keeps a copy
// of each answer.
type recorder struct {
	next      http.Handler
	mu        sync.Mutex
	exchanges []exchange
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cw := &captureWriter{statusWriter: statusWriter{ResponseWriter: w}}
	defer func() { // deferred: a dropped connection panics through here
		rec.mu.Lock()
		rec.exchanges = append(rec.exchanges, exchange{r.Method, r.URL.Path, cw.status, cw.body.Bytes()})
		rec.mu.Unlock()
	}()
	rec.next.ServeHTTP(cw, r)
}

func (rec *recorder) all() []exchange {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]exchange(nil), rec.exchanges...)
}

// captureWriter keeps the body of an answer beside its status.
type captureWriter struct {
	statusWriter
	body bytes.Buffer
}

func (w *captureWriter) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.statusWriter.Write(b)
}

// env is a simulator behind a real HTTP server with a godo client on it.
type env struct {
	sim    *Server
	ts     *httptest.Server
	rec    *recorder
	client *godo.Client
}

// newEnv starts a simulator and, when the test ends, checks every answer it
// gave against the spec (see spec_test.go).
func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	if opts.Logf == nil {
		opts.Logf = t.Logf
	}
	sim := New(opts)
	rec := &recorder{next: sim}
	ts := httptest.NewServer(rec)
	e := &env{sim: sim, ts: ts, rec: rec}
	e.client = e.godo(t, DefaultToken)
	t.Cleanup(func() {
		ts.Close()
		sim.Close()
		for _, x := range rec.all() {
			if err := checkAnswer(x); err != nil {
				t.Errorf("%s %s answered %d against the spec: %v\n%s", x.method, x.path, x.status, err, x.body)
			}
		}
	})
	return e
}

// godo returns a godo client for token, without retries.
func (e *env) godo(t *testing.T, token string, opts ...godo.ClientOpt) *godo.Client {
	t.Helper()
	hc := oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}))
	c, err := godo.New(hc, append([]godo.ClientOpt{godo.SetBaseURL(e.ts.URL + "/")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// retrying returns a godo client that retries quickly, as godo does for
// 429 and 5xx answers.
func (e *env) retrying(t *testing.T, retries int) *godo.Client {
	return e.godo(t, DefaultToken, godo.WithRetryAndBackoffs(godo.RetryConfig{
		RetryMax:     retries,
		RetryWaitMin: godo.PtrTo(0.001),
		RetryWaitMax: godo.PtrTo(0.01),
	}))
}

// createDroplet creates a droplet with the usual request and fails the test
// on error.
func (e *env) createDroplet(t *testing.T, req *godo.DropletCreateRequest) (*godo.Droplet, *godo.Response) {
	t.Helper()
	if req == nil {
		req = basicRequest("web-1")
	}
	d, resp, err := e.client.Droplets.Create(ctx, req)
	if err != nil {
		t.Fatalf("create %s: %v", req.Name, err)
	}
	return d, resp
}

func basicRequest(name string) *godo.DropletCreateRequest {
	return &godo.DropletCreateRequest{
		Name:    name,
		Region:  "sfo3",
		Size:    "s-1vcpu-1gb",
		Image:   godo.DropletCreateImage{Slug: "debian-12-x64"},
		SSHKeys: []godo.DropletCreateSSHKey{},
		Tags:    []string{},
	}
}

// eventually polls cond until it holds or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// wantStatus checks that err is godo's error for status with message.
func wantStatus(t *testing.T, err error, status int, message string) *godo.ErrorResponse {
	t.Helper()
	er, ok := err.(*godo.ErrorResponse)
	if !ok {
		t.Fatalf("got error %v (%T), want a %d answer", err, err, status)
	}
	if er.Response.StatusCode != status || (message != "" && er.Message != message) {
		t.Fatalf("got %d %q, want %d %q", er.Response.StatusCode, er.Message, status, message)
	}
	if er.RequestID == "" {
		t.Errorf("error has no request id")
	}
	return er
}

// raw sends a request with the default token outside godo, to see what godo
// hides (bodies, headers) or cannot send.
func (e *env) raw(t *testing.T, method, path, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+DefaultToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func itoa(n int) string { return strconv.Itoa(n) }

var ctx = context.Background()
