package deploy

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"sync"
)

// maxLine bounds the unfinished line a prefixer keeps: output without
// newlines must not grow memory.
const maxLine = 64 << 10

// lockedWriter lets several hosts' prefixers share one writer, a whole
// line at a time.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) writeLine(line []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, err := l.w.Write(line)
	return err
}

// prefixer writes each line of one host's output to a shared writer with
// the host's name in front, so parallel deploys stay readable, and keeps
// the last error deploy-rs logged.
type prefixer struct {
	out     *lockedWriter
	prefix  string
	partial []byte

	mu        sync.Mutex // stdout and stderr both write here
	lastError string
}

func newPrefixer(out *lockedWriter, name string) *prefixer {
	return &prefixer{out: out, prefix: name + " | "}
}

func (p *prefixer) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.partial = append(p.partial, b...)
	for {
		i := bytes.IndexByte(p.partial, '\n')
		if i < 0 {
			break
		}
		if err := p.emit(p.partial[:i]); err != nil {
			return len(b), err
		}
		p.partial = p.partial[i+1:]
	}
	if len(p.partial) > maxLine {
		err := p.emit(p.partial)
		p.partial = nil
		return len(b), err
	}
	return len(b), nil
}

// flush writes a last line that ended without a newline.
func (p *prefixer) flush() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.partial) == 0 {
		return nil
	}
	err := p.emit(p.partial)
	p.partial = nil
	return err
}

// errorMessage returns the last error deploy-rs logged, "" if none.
func (p *prefixer) errorMessage() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastError
}

func (p *prefixer) emit(line []byte) error {
	text := strings.TrimRight(string(line), "\r")
	if msg, ok := deployRSError(text); ok {
		p.lastError = msg
	}
	return p.out.writeLine([]byte(p.prefix + text + "\n"))
}

// ansi matches the terminal colour codes deploy-rs puts around levels.
var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// deployRSError picks the message out of a line deploy-rs logs at error
// level ("🚀 ❌ [deploy] [ERROR] Deployment to node web1 failed, …",
// src/lib.rs logger_formatter_deploy at the pin).
func deployRSError(line string) (string, bool) {
	_, msg, ok := strings.Cut(ansi.ReplaceAllString(line, ""), "[ERROR] ")
	return strings.TrimSpace(msg), ok && strings.TrimSpace(msg) != ""
}
