package dosim

import (
	"net/http"
	"strconv"
	"time"
)

// DigitalOcean limits each token over a sliding window: every request counts
// against the limit for one hour after it is made, and RateLimit-Reset is
// when the oldest counted request stops counting.
const (
	hourWindow   = time.Hour
	minuteWindow = time.Minute
)

type rateState struct {
	limit      int
	remaining  int
	reset      time.Time
	retryAfter time.Duration // > 0 only when the request is refused
}

func (r rateState) setHeaders(h http.Header) {
	h.Set("RateLimit-Limit", strconv.Itoa(r.limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(r.remaining))
	h.Set("RateLimit-Reset", strconv.FormatInt(r.reset.Unix(), 10))
	if r.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int((r.retryAfter+time.Second-1)/time.Second)))
	}
}

// admit counts a request for token and reports whether it is within the
// limits; refused requests are not counted.
func (s *Server) admit(token string, now time.Time) (rateState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	hits := s.prune(token, now)
	if len(hits) >= s.opts.RateLimit {
		st := s.rate(hits, now)
		st.retryAfter = hits[0].Add(hourWindow).Sub(now)
		return st, false
	}
	if b := s.opts.BurstLimit; b > 0 && len(hits) >= b {
		if oldest := hits[len(hits)-b]; now.Sub(oldest) < minuteWindow {
			st := s.rate(hits, now)
			st.remaining = 0 // DigitalOcean reports a burst refusal as no requests remaining
			st.retryAfter = oldest.Add(minuteWindow).Sub(now)
			return st, false
		}
	}
	hits = append(hits, now)
	s.hits[token] = hits
	return s.rate(hits, now), true
}

// peekRate is the state admit would report, without counting a request.
func (s *Server) peekRate(token string, now time.Time) rateState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rate(s.prune(token, now), now)
}

// prune drops the requests that no longer count; the caller holds s.mu.
func (s *Server) prune(token string, now time.Time) []time.Time {
	hits := s.hits[token]
	i := 0
	for i < len(hits) && now.Sub(hits[i]) >= hourWindow {
		i++
	}
	hits = hits[i:]
	s.hits[token] = hits
	return hits
}

func (s *Server) rate(hits []time.Time, now time.Time) rateState {
	st := rateState{limit: s.opts.RateLimit, remaining: max(s.opts.RateLimit-len(hits), 0), reset: now.Add(hourWindow)}
	if len(hits) > 0 {
		st.reset = hits[0].Add(hourWindow)
	}
	return st
}
