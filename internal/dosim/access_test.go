package dosim

import (
	"encoding/json"
	"net/http"
	"strconv"
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
	before := time.Now()
	_, first, err := e.client.Sizes.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, second, err := e.client.Regions.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.Rate.Limit != 5000 || first.Rate.Remaining != 4999 || second.Rate.Remaining != 4998 {
		t.Errorf("rates %+v then %+v, want 5000 limit counting down from 4999", first.Rate, second.Rate)
	}
	// The reset is when the oldest request stops counting, an hour after it.
	reset := second.Rate.Reset.Time
	if reset.Before(before.Add(time.Hour).Truncate(time.Second)) || reset.After(time.Now().Add(time.Hour)) {
		t.Errorf("reset %v, want an hour after the first request", reset)
	}
	if e.client.GetRate().Remaining != 4998 {
		t.Errorf("client rate %+v", e.client.GetRate())
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
	retry, convErr := strconv.Atoi(resp.Header.Get("Retry-After"))
	if convErr != nil || retry < 3599 || retry > 3600 || resp.Rate.Remaining != 0 || resp.Rate.Limit != 3 {
		t.Errorf("Retry-After %q, rate %+v", resp.Header.Get("Retry-After"), resp.Rate)
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
	retry, convErr := strconv.Atoi(resp.Header.Get("Retry-After"))
	if convErr != nil || retry < 59 || retry > 60 || resp.Rate.Remaining != 0 || resp.Rate.Limit != 5000 {
		t.Errorf("Retry-After %q, rate %+v", resp.Header.Get("Retry-After"), resp.Rate)
	}
}
