package infect

import (
	"bytes"
	"io"
	"sync"
)

// syncWriter lets the log follower and the state poller share one writer.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// lineWriter passes on whole lines with a prefix and counts them, so that
// following the log again after a lost connection starts at the first line
// not yet shown.
type lineWriter struct {
	w       io.Writer
	prefix  string
	partial []byte
	n       int // whole lines passed on
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := append([]byte(l.prefix), l.partial[:i+1]...)
		if _, err := l.w.Write(line); err != nil {
			return len(p), err
		}
		l.partial = l.partial[i+1:]
		l.n++
	}
}

// drop forgets a line cut off by a lost connection: it is read again whole.
func (l *lineWriter) drop() { l.partial = nil }
