package dosim

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAuthentication(t *testing.T) {
	e := newEnv(t, Options{})
	_, _, err := e.godo(t, "wrong-token").Sizes.List(ctx, nil)
	wantStatus(t, err, http.StatusUnauthorized, msgUnauthorized)

	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/v2/droplets", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body apiError
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	want := apiError{ID: "unauthorized", Message: msgUnauthorized, RequestID: resp.Header.Get("X-Request-Id")}
	if diff := cmp.Diff(want, body); diff != "" || resp.StatusCode != http.StatusUnauthorized || body.RequestID == "" {
		t.Errorf("no token: %d (-want +got):\n%s", resp.StatusCode, diff)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}

	custom := newEnv(t, Options{Token: "dop_v1_custom"})
	if _, _, err := custom.godo(t, "dop_v1_custom").Sizes.List(ctx, nil); err != nil {
		t.Errorf("custom token refused: %v", err)
	}
	_, _, err = custom.client.Sizes.List(ctx, nil) // DefaultToken
	wantStatus(t, err, http.StatusUnauthorized, msgUnauthorized)
}

func TestRateLimitHeaders(t *testing.T) {
	e := newEnv(t, Options{})
	_, first, err := e.client.Sizes.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	_, second, err := e.client.Regions.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.Rate.Limit != 5000 || first.Rate.Remaining != 4999 || second.Rate.Remaining != 4998 {
		t.Errorf("rates %+v then %+v, want 5000 limit counting down from 4999", first.Rate, second.Rate)
	}
	// The reset is when the oldest request stops counting, an hour after it.
	if reset := second.Rate.Reset.Time; !reset.Equal(epoch.Add(time.Hour)) {
		t.Errorf("reset %v, want %v, an hour after the first request", reset, epoch.Add(time.Hour))
	}
	if e.client.GetRate().Remaining != 4998 {
		t.Errorf("client rate %+v", e.client.GetRate())
	}
	// An hour after the first request it no longer counts.
	e.clock.Advance(time.Hour - time.Minute)
	if _, third, err := e.client.Sizes.List(ctx, nil); err != nil || third.Rate.Remaining != 4998 {
		t.Errorf("an hour on: %+v, %v; want 4998 remaining", third, err)
	}
}

func TestRateLimitExceeded(t *testing.T) {
	e := newEnv(t, Options{RateLimit: 3})
	for range 3 {
		if _, _, err := e.client.Sizes.List(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	_, resp, err := e.client.Sizes.List(ctx, nil)
	wantStatus(t, err, http.StatusTooManyRequests, msgRateLimited)
	if resp.Header.Get("Retry-After") != "3600" || resp.Rate.Remaining != 0 || resp.Rate.Limit != 3 {
		t.Errorf("Retry-After %q, rate %+v; want 3600", resp.Header.Get("Retry-After"), resp.Rate)
	}
	e.clock.Advance(time.Hour)
	if _, _, err := e.client.Sizes.List(ctx, nil); err != nil {
		t.Errorf("an hour later: %v", err)
	}
	// Another token has its own budget (and is refused for being wrong).
	_, _, err = e.godo(t, "other").Sizes.List(ctx, nil)
	wantStatus(t, err, http.StatusUnauthorized, msgUnauthorized)
}

func TestBurstLimit(t *testing.T) {
	e := newEnv(t, Options{BurstLimit: 2})
	for range 2 {
		if _, _, err := e.client.Sizes.List(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	_, resp, err := e.client.Sizes.List(ctx, nil)
	wantStatus(t, err, http.StatusTooManyRequests, msgRateLimited)
	if resp.Header.Get("Retry-After") != "60" || resp.Rate.Remaining != 0 || resp.Rate.Limit != 5000 {
		t.Errorf("Retry-After %q, rate %+v; want 60", resp.Header.Get("Retry-After"), resp.Rate)
	}
	e.clock.Advance(time.Minute)
	if _, _, err := e.client.Sizes.List(ctx, nil); err != nil {
		t.Errorf("a minute later: %v", err)
	}
}
