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
	clock  *ManualClock // nil when the test chose its own Options.Clock
	ts     *httptest.Server
	rec    *recorder
	client *godo.Client
}

// epoch is where every test's ManualClock starts: the seed's recorded
// import, so timestamps look like DigitalOcean's.
var epoch = time.Date(2025, 7, 10, 20, 22, 43, 0, time.UTC)

// newEnv starts a simulator on a ManualClock (unless opts names a clock)
// and, when the test ends, checks every answer it gave against the spec
// (see spec_test.go).
func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	if opts.Logf == nil {
		opts.Logf = t.Logf
	}
	var clock *ManualClock
	if opts.Clock == nil {
		clock = NewManualClock(epoch)
		opts.Clock = clock
	}
	sim := New(opts)
	rec := &recorder{next: sim}
	ts := httptest.NewServer(rec)
	e := &env{sim: sim, clock: clock, ts: ts, rec: rec}
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

// droplet reads a droplet back through godo, failing the test on error.
func (e *env) droplet(t *testing.T, id int) *godo.Droplet {
	t.Helper()
	d, _, err := e.client.Droplets.Get(ctx, id)
	if err != nil {
		t.Fatalf("get droplet %d: %v", id, err)
	}
	return d
}

// action reads an action back through godo, failing the test on error.
func (e *env) action(t *testing.T, id int) *godo.Action {
	t.Helper()
	a, _, err := e.client.Actions.Get(ctx, id)
	if err != nil {
		t.Fatalf("get action %d: %v", id, err)
	}
	return a
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
