package dosim

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"

	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

func TestFaultStatus(t *testing.T) {
	e := newEnv(t, Options{})
	e.sim.AddFault(Fault{Path: "/v2/sizes", Status: http.StatusInternalServerError, Times: 1})
	_, _, err := e.client.Sizes.List(ctx, nil)
	wantStatus(t, err, http.StatusInternalServerError, msgServerError)
	if _, _, err := e.client.Sizes.List(ctx, nil); err != nil {
		t.Errorf("second request, after Times ran out: %v", err)
	}
	if _, _, err := e.client.Regions.List(ctx, nil); err != nil {
		t.Errorf("other path: %v", err)
	}

	// Each injected status comes with DigitalOcean's id and message for it.
	e.sim.AddFault(Fault{Path: "/v2/account", Status: http.StatusNotFound, Times: 1})
	e.sim.AddFault(Fault{Path: "/v2/account", Status: 599, Times: 1})
	for _, want := range []apiError{{ID: "not_found", Message: msgNotFound}, {ID: "error", Message: ""}} {
		var body apiError
		if err := json.NewDecoder(e.raw(t, http.MethodGet, "/v2/account", "").Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		body.RequestID = ""
		if body != want {
			t.Errorf("fault body %+v, want %+v", body, want)
		}
	}

	// godo's retries ride over a transient failure.
	e.sim.AddFault(Fault{Method: http.MethodGet, Path: "/v2/regions", Status: http.StatusServiceUnavailable, Times: 2})
	e.sim.AddFault(Fault{Method: http.MethodPost, Path: "/v2/regions", Status: http.StatusBadGateway})
	if _, _, err := e.retrying(t, 3).Regions.List(ctx, nil); err != nil {
		t.Errorf("retrying client: %v", err)
	}
	var statuses []int
	for _, r := range e.sim.Requests() {
		if r.Path == "/v2/regions" {
			statuses = append(statuses, r.Status)
		}
	}
	if len(statuses) != 4 || statuses[1] != 503 || statuses[2] != 503 || statuses[3] != 200 {
		t.Errorf("statuses of /v2/regions requests %v, want 200 then 503, 503, 200", statuses)
	}
}

func TestFaultRetryAfter(t *testing.T) {
	e := newEnv(t, Options{})
	e.sim.AddFault(Fault{Path: "/v2/droplets", Status: http.StatusTooManyRequests, Times: 1})
	e.sim.AddFault(Fault{Path: "/v2/sizes", Status: http.StatusServiceUnavailable, RetryAfter: 1500 * time.Millisecond, Times: 1})
	e.sim.AddFault(Fault{Path: "/v2/regions", Status: http.StatusServiceUnavailable, Times: 1})

	_, resp, err := e.client.Droplets.List(ctx, nil)
	wantStatus(t, err, http.StatusTooManyRequests, msgRateLimited)
	if resp.Header.Get("Retry-After") != "0" || resp.Rate.Remaining != 0 || resp.Rate.Limit != 5000 {
		t.Errorf("429: Retry-After %q, rate %+v", resp.Header.Get("Retry-After"), resp.Rate)
	}
	_, resp, err = e.client.Sizes.List(ctx, nil)
	wantStatus(t, err, http.StatusServiceUnavailable, "")
	if resp.Header.Get("Retry-After") != "2" {
		t.Errorf("503 Retry-After %q, want 2 (1.5 s rounded up)", resp.Header.Get("Retry-After"))
	}
	_, resp, err = e.client.Regions.List(ctx, nil)
	wantStatus(t, err, http.StatusServiceUnavailable, "")
	if resp.Header.Get("Retry-After") != "" {
		t.Errorf("503 without RetryAfter has Retry-After %q", resp.Header.Get("Retry-After"))
	}

	// A 429 with Retry-After: 0 is retried at once by godo's retrying client.
	e.sim.AddFault(Fault{Path: "/v2/account", Status: http.StatusTooManyRequests, Times: 1})
	if _, _, err := e.retrying(t, 1).Account.Get(ctx); err != nil {
		t.Errorf("retrying client after 429: %v", err)
	}
}

func TestFaultDelay(t *testing.T) {
	const delay = 30 * time.Second
	e := newEnv(t, Options{})
	e.sim.AddFault(Fault{Path: "/v2/sizes", Delay: delay, Times: 1})
	answered := make(chan error, 1)
	go func() {
		_, _, err := e.client.Sizes.List(ctx, nil)
		answered <- err
	}()
	sshtest.Eventually(t, "the delayed request to wait on the clock", func() bool { return e.clock.Pending() == 1 })
	e.clock.Advance(delay - time.Nanosecond)
	if e.clock.Pending() != 1 {
		t.Fatal("the delay ended before it passed")
	}
	e.clock.Advance(time.Nanosecond)
	if err := <-answered; err != nil {
		t.Fatalf("delayed request: %v", err)
	}

	// A client that gives up cancels the delay: no answer, and the wait on
	// the clock is gone.
	e.sim.AddFault(Fault{Path: "/v2/regions", Delay: time.Minute})
	hc := oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: DefaultToken}))
	hc.Timeout = 50 * time.Millisecond
	impatient, err := godo.New(hc, godo.SetBaseURL(e.ts.URL+"/"))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = impatient.Regions.List(ctx, nil)
	var er *godo.ErrorResponse
	if err == nil || errors.As(err, &er) {
		t.Fatalf("impatient client got %v, want a timeout", err)
	}
	sshtest.Eventually(t, "the abandoned request to be recorded", func() bool {
		reqs := e.sim.Requests()
		last := reqs[len(reqs)-1]
		return last.Path == "/v2/regions" && last.Status == 0 && e.clock.Pending() == 0
	})
}

func TestFaultDrop(t *testing.T) {
	e := newEnv(t, Options{})
	e.sim.AddFault(Fault{Method: http.MethodPost, Path: "/v2/droplets", Drop: true, Times: 1})
	_, _, err := e.client.Droplets.Create(ctx, basicRequest("dropped"))
	var er *godo.ErrorResponse
	if err == nil || errors.As(err, &er) {
		t.Fatalf("dropped create returned %v, want a connection error", err)
	}
	if n := len(e.sim.Droplets()); n != 0 {
		t.Errorf("%d droplets after a create dropped before handling", n)
	}
	if _, _, err := e.client.Droplets.Create(ctx, basicRequest("second")); err != nil {
		t.Errorf("create after the fault ran out: %v", err)
	}
	reqs := e.sim.Requests()
	if reqs[0].Status != 0 || reqs[1].Status != http.StatusAccepted {
		t.Errorf("recorded statuses %d, %d; want 0 (dropped), 202", reqs[0].Status, reqs[1].Status)
	}
}

func TestFaultDropAfterHandling(t *testing.T) {
	e := newEnv(t, Options{})
	e.sim.AddFault(Fault{Method: http.MethodPost, Path: "/v2/droplets", DropAfterHandling: true, Times: 1})
	_, _, err := e.client.Droplets.Create(ctx, basicRequest("lost-answer"))
	var er *godo.ErrorResponse
	if err == nil || errors.As(err, &er) {
		t.Fatalf("create with a lost answer returned %v, want a connection error", err)
	}
	ds := e.sim.Droplets()
	if len(ds) != 1 || ds[0].Name != "lost-answer" {
		t.Fatalf("droplets %+v, want the one whose answer was lost", ds)
	}
	listed, _, err := e.client.Droplets.ListByName(ctx, "lost-answer", nil)
	if err != nil || len(listed) != 1 {
		t.Errorf("the client can find the droplet it was not told about: %+v, %v", listed, err)
	}
}
