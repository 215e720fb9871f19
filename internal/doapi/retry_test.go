package doapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// script answers the n-th request with steps[n] (the last step repeats).
func script(t *testing.T, steps ...func(w http.ResponseWriter, r *http.Request)) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i >= len(steps) {
			i = len(steps) - 1
		}
		steps[i](w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func status(code int, header ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		io.WriteString(w, `{"id":"x","message":"m"}`)
	}
}

func drop(w http.ResponseWriter, r *http.Request) {
	conn, _, _ := w.(http.Hijacker).Hijack()
	conn.Close()
}

func client(log io.Writer) *http.Client {
	return &http.Client{Transport: &retryTransport{
		base: http.DefaultTransport, timeout: 200 * time.Millisecond, retries: 3,
		minWait: time.Millisecond, maxWait: 2 * time.Second, log: log,
	}}
}

func TestRetryPolicy(t *testing.T) {
	slow := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}
	tests := []struct {
		name       string
		method     string
		path       string // "" = /v2/droplets
		steps      []func(http.ResponseWriter, *http.Request)
		wantStatus int // 0 = want an error
		wantTries  int32
	}{
		{"GET recovers from 503", "GET", "", steps(status(503), status(200)), 200, 2},
		{"GET recovers from 500 then 502", "GET", "", steps(status(500), status(502), status(200)), 200, 3},
		{"GET gives up after the retries", "GET", "", steps(status(503)), 503, 4},
		{"GET recovers from a dropped connection", "GET", "", steps(drop, status(200)), 200, 2},
		{"GET recovers from a slow answer", "GET", "", steps(slow, status(200)), 200, 2},
		{"POST retried after 429", "POST", "", steps(status(429, "Retry-After", "0"), status(202)), 202, 2},
		{"POST not retried after 503", "POST", "", steps(status(503), status(202)), 503, 1},
		{"POST not retried after a dropped connection", "POST", "", steps(drop, status(202)), 0, 1},
		{"project assignment recovers from 503", "POST", "/v2/projects/p1/resources", steps(status(503), status(200)), 200, 2},
		{"project assignment recovers from a dropped connection", "POST", "/v2/projects/p1/resources", steps(drop, status(200)), 200, 2},
		{"project assignment recovers from a slow answer", "POST", "/v2/projects/p1/resources", steps(slow, status(200)), 200, 2},
		{"tag creation recovers from 500", "POST", "/v2/tags", steps(status(500), status(201)), 201, 2},
		{"tagging recovers from 502 under a base path", "POST", "/api/v2/tags/nixos/resources", steps(status(502), status(204)), 204, 2},
		{"tagging gives up after the retries", "POST", "/v2/tags/nixos/resources", steps(status(503)), 503, 4},
		{"image import not retried after 503", "POST", "/v2/images", steps(status(503), status(202)), 503, 1},
		{"422 is final", "GET", "", steps(status(422), status(200)), 422, 1},
		{"Retry-After beyond the limit hands back the 429", "GET", "", steps(status(429, "Retry-After", "3600"), status(200)), 429, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, n := script(t, tc.steps...)
			var log bytes.Buffer
			path := tc.path
			if path == "" {
				path = "/v2/droplets"
			}
			req, _ := http.NewRequest(tc.method, srv.URL+path, strings.NewReader(`{"name":"x"}`))
			resp, err := client(&log).Do(req)
			if tc.wantStatus == 0 {
				if err == nil {
					t.Fatalf("status %d, want an error", resp.StatusCode)
				}
			} else {
				if err != nil {
					t.Fatalf("err %v, want status %d", err, tc.wantStatus)
				}
				resp.Body.Close()
				if resp.StatusCode != tc.wantStatus {
					t.Errorf("status %d, want %d", resp.StatusCode, tc.wantStatus)
				}
			}
			if got := n.Load(); got != tc.wantTries {
				t.Errorf("%d requests, want %d (log: %s)", got, tc.wantTries, log.String())
			}
		})
	}
}

func steps(s ...func(http.ResponseWriter, *http.Request)) []func(http.ResponseWriter, *http.Request) {
	return s
}

func TestRetryResendsBody(t *testing.T) {
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		if len(bodies) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(429)
			return
		}
		w.WriteHeader(202)
	}))
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL, strings.NewReader(`{"name":"web1"}`))
	resp, err := client(io.Discard).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(bodies) != 2 || bodies[1] != `{"name":"web1"}` {
		t.Errorf("bodies = %q, want the same body twice", bodies)
	}
}

// The retry waits as long as the server's Retry-After says, between the
// answer that said so and the next attempt.
func TestRetryHonoursRetryAfter(t *testing.T) {
	srv, n := script(t, status(429, "Retry-After", "1"), status(200))
	var pauses []string
	rt := client(io.Discard).Transport.(*retryTransport)
	rt.pause = func(ctx context.Context, d time.Duration) error {
		pauses = append(pauses, fmt.Sprintf("%s after request %d", d, n.Load()))
		return nil
	}
	resp, err := (&http.Client{Transport: rt}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if diff := cmp.Diff([]string{"1s after request 1"}, pauses); diff != "" || n.Load() != 2 {
		t.Errorf("pauses (-want +got):\n%s%d requests, want 2", diff, n.Load())
	}
}

// A cancel during the wait before a retry ends it: no more requests.
func TestRetryStopsOnCancel(t *testing.T) {
	srv, n := script(t, status(503, "Retry-After", "1"))
	ctx, cancel := context.WithCancel(context.Background())
	rt := client(io.Discard).Transport.(*retryTransport)
	rt.pause = func(ctx context.Context, d time.Duration) error {
		cancel()
		return sleep(ctx, d)
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	_, err := (&http.Client{Transport: rt}).Do(req)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if n.Load() != 1 {
		t.Errorf("%d requests after cancel, want 1", n.Load())
	}
}
