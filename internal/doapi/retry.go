package doapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/cmdline"
)

// retryTransport retries what is safe to retry: requests safe to repeat
// (see repeatable) after a network error, a slow answer, a 429 or a 5xx;
// any other POST, which makes something (a droplet, an image), only after a
// 429, which DigitalOcean sends before doing any work. Every attempt has its
// own timeout so one slow answer cannot stall a target.
type retryTransport struct {
	base             http.RoundTripper
	timeout          time.Duration
	retries          int
	minWait, maxWait time.Duration
	log              io.Writer
	// pause waits between attempts: d, or less if ctx ends first, which it
	// returns; nil = sleep on the clock. Tests see the pauses asked for.
	pause func(ctx context.Context, d time.Duration) error
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	wait := t.minWait
	for attempt := 0; ; attempt++ {
		resp, err := t.attempt(req)
		if attempt >= t.retries || !retryable(req, resp, err) {
			return resp, err
		}
		delay := wait
		if ra, ok := retryAfter(resp); ok {
			delay = ra
		}
		if delay > t.maxWait {
			if resp != nil {
				// Waiting longer than we are willing to is the caller's decision; hand back the answer.
				return resp, nil
			}
			delay = t.maxWait
		}
		why := "network error"
		if resp != nil {
			why = resp.Status
			resp.Body.Close()
		}
		if t.log != nil {
			fmt.Fprintf(t.log, "digitalocean: %s %s: %s; retrying in %s (attempt %d of %d)\n",
				req.Method, req.URL.Path, why, cmdline.Format(delay.Round(time.Second/10)), attempt+2, t.retries+1)
		}
		pause := t.pause
		if pause == nil {
			pause = sleep
		}
		if err := pause(req.Context(), delay); err != nil {
			return nil, err
		}
		wait = min(wait*2, t.maxWait)
		if req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req = req.Clone(req.Context())
			req.Body = body
		}
	}
}

// sleep waits d, or less if ctx ends first, which it returns.
func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

func (t *retryTransport) attempt(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		if ctx.Err() == context.DeadlineExceeded && req.Context().Err() == nil {
			return nil, fmt.Errorf("no answer within %s: %w", cmdline.Format(t.timeout), err)
		}
		return nil, err
	}
	resp.Body = cancelOnClose{resp.Body, cancel}
	return resp, nil
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

func retryable(req *http.Request, resp *http.Response, err error) bool {
	if err != nil {
		return repeatable(req) && req.Context().Err() == nil
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return true
	case resp.StatusCode >= 500:
		return repeatable(req)
	}
	return false
}

// repeatablePOST matches the POSTs whose effect is the same however often
// they arrive, because they put a resource into a set: assigning resources
// to a project (a resource is in one project; assigning it again leaves it
// there), creating a tag (answered with the tag when it exists), and tagging
// resources (a tag a resource has is not added twice). The path may sit
// below a prefix of the base URL.
var repeatablePOST = regexp.MustCompile(`/v2/(projects/[^/]+/resources|tags|tags/[^/]+/resources)$`)

// repeatable reports whether sending req twice leaves the account as
// sending it once does: DigitalOcean's API description calls GET read-only
// and PUT and DELETE idempotent; among POSTs, those repeatablePOST matches.
func repeatable(req *http.Request) bool {
	return req.Method != http.MethodPost || repeatablePOST.MatchString(req.URL.Path)
}

func retryAfter(resp *http.Response) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	s, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || s < 0 {
		return 0, false
	}
	return time.Duration(s) * time.Second, true
}
