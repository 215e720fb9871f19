package dosim

import (
	"net/http"
	"sort"
	"strconv"
)

// sortedIDs lists the ids of m, a map of droplets, actions or custom images,
// in ascending order.
func sortedIDs[V any](m map[int]V) []int {
	ids := make([]int, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	return ids
}

// views renders the values of m that keep accepts, ordered by id as
// DigitalOcean lists them; empty, not nil, so that the JSON is [] not null.
func views[T, V any](m map[int]T, keep func(T) bool, view func(T) V) []V {
	out := []V{}
	for _, id := range sortedIDs(m) {
		if v := m[id]; keep(v) {
			out = append(out, view(v))
		}
	}
	return out
}

// byID looks up the value whose id a path segment names; a segment that is
// no number names nothing.
func byID[V any](m map[int]V, segment string) (V, bool) {
	id, err := strconv.Atoi(segment)
	if err != nil {
		var zero V
		return zero, false
	}
	v, ok := m[id]
	return v, ok
}

// withFound runs f, with s.mu held, on what find resolves the request's
// path to, or answers 404 as DigitalOcean does for an unknown id.
func withFound[T any](s *Server, c *call, find func(*call) (T, bool), f func(T)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := find(c)
	if !ok {
		c.fail(http.StatusNotFound, msgNotFound)
		return
	}
	f(v)
}
