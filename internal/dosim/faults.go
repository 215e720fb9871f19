package dosim

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault makes matching requests misbehave before the simulator handles them,
// to exercise a client's retries and timeouts.
//
// Drop and DropAfterHandling close the connection without an answer; that
// needs a real http.Server (httptest.NewServer), which recovers the abort.
// Go's http.Transport silently resends a dropped GET on a reused connection,
// so a Drop with Times: 1 on a GET may never reach the caller.
type Fault struct {
	Method            string        // "" = any method
	Path              string        // path prefix, e.g. "/v2/droplets"
	Status            int           // answer with this status and a DigitalOcean error body; 429 also sets Retry-After and RateLimit-*
	RetryAfter        time.Duration // Retry-After for 429 and 503, rounded up to whole seconds
	Delay             time.Duration // wait (on Options.Clock) before handling; if the client gives up first, nothing is done or answered
	Drop              bool          // close the connection without answering, before doing the work
	DropAfterHandling bool          // do the work (e.g. create the droplet), then close the connection: a lost answer
	Times             int           // matching requests it affects; 0 = all
}

type activeFault struct {
	Fault
	left int // requests it still affects when Times > 0
}

// AddFault adds f after the faults already added; a request meets only the
// first fault that matches it and still has Times left.
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &activeFault{Fault: f, left: f.Times})
}

func (s *Server) takeFault(r *http.Request) *activeFault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if f.Times > 0 && f.left == 0 {
			continue
		}
		if (f.Method == "" || strings.EqualFold(f.Method, r.Method)) && strings.HasPrefix(r.URL.Path, f.Path) {
			f.left--
			return f
		}
	}
	return nil
}

// apply carries out the fault and reports whether the request should still be
// handled normally; when it answers, the answer is in c.
func (f *activeFault) apply(c *call, clock Clock, rate rateState) bool {
	if f.Delay > 0 {
		elapsed := make(chan struct{})
		stop := clock.AfterFunc(f.Delay, func() { close(elapsed) })
		defer stop()
		select {
		case <-elapsed:
		case <-c.r.Context().Done():
			panic(http.ErrAbortHandler) // nobody is listening for the answer
		}
	}
	if f.Drop {
		panic(http.ErrAbortHandler)
	}
	if f.Status == 0 {
		return true
	}
	h := c.header
	if f.Status == http.StatusTooManyRequests {
		rate.remaining = 0
	}
	rate.setHeaders(h)
	if f.Status == http.StatusTooManyRequests || (f.Status == http.StatusServiceUnavailable && f.RetryAfter > 0) {
		h.Set("Retry-After", strconv.Itoa(int((f.RetryAfter+time.Second-1)/time.Second)))
	}
	c.fail(f.Status, faultMessage(f.Status))
	return false
}
