package dosim

import (
	"io"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"
)

// sshBanner is what the endpoint sends when no SSHBackend is set: enough for
// a client waiting for SSH to answer, after which the endpoint hangs up.
const sshBanner = "SSH-2.0-dosim\r\n"

// sshEndpoint is a droplet's sshd stand-in: a TCP listener on the droplet's
// public IPv4 that listens while the droplet is active, from SSHDelay after
// it became so (booted or powered on), closes with its connections when the
// droplet powers off, and for good when the droplet is deleted or the
// simulator closed. Its fields are guarded by the Server's mutex.
type sshEndpoint struct {
	addr      string
	wg        *sync.WaitGroup
	stopTimer func() bool  // cancels the next re-check; nil when none is armed
	ln        net.Listener // nil while closed
	conns     map[net.Conn]struct{}
	stopped   bool
}

// syncSSH opens or closes d's endpoint as d's state at the clock's now
// says, and arms a re-check for the next moment that may change it; the
// caller holds s.mu. Nothing happens without Options.SSHPort.
func (s *Server) syncSSH(d *droplet) {
	if s.opts.SSHPort == 0 || (d.ssh == nil && s.closed) {
		return
	}
	if d.ssh == nil {
		d.ssh = &sshEndpoint{
			addr:  net.JoinHostPort(d.publicIP.String(), strconv.Itoa(s.opts.SSHPort)),
			wg:    &s.sshWG,
			conns: map[net.Conn]struct{}{},
		}
	}
	e := d.ssh
	if e.stopped {
		return
	}
	now := s.opts.Clock.Now()
	if s.sshOpenAt(d, now) {
		s.openSSH(e)
	} else {
		e.close()
	}
	e.disarm()
	if next, ok := s.nextChange(d, now); ok {
		s.sshWG.Add(1)
		e.stopTimer = s.opts.Clock.AfterFunc(next.Sub(now), func() {
			defer s.sshWG.Done()
			s.mu.Lock()
			defer s.mu.Unlock()
			s.syncSSH(d)
		})
	}
}

// sshOpenAt reports whether d's SSH answers at t: while it is active, from
// SSHDelay after it last became so.
func (s *Server) sshOpenAt(d *droplet, t time.Time) bool {
	st := d.stateAt(t)
	return st.status == "active" && !t.Before(st.activeSince.Add(s.opts.SSHDelay))
}

// nextChange is the first moment after t at which d's state or its SSH may
// change, or false when nothing is due.
func (s *Server) nextChange(d *droplet, t time.Time) (time.Time, bool) {
	var moments []time.Time
	for _, a := range d.actions {
		if done, ends := a.doneAt(); ends && done.After(t) {
			moments = append(moments, done)
		}
	}
	if st := d.stateAt(t); st.status == "active" {
		if open := st.activeSince.Add(s.opts.SSHDelay); open.After(t) {
			moments = append(moments, open)
		}
	}
	if len(moments) == 0 {
		return time.Time{}, false
	}
	return slices.MinFunc(moments, func(a, b time.Time) int { return a.Compare(b) }), true
}

// disarm cancels the pending re-check; the caller holds s.mu.
func (e *sshEndpoint) disarm() {
	if e.stopTimer != nil && e.stopTimer() {
		e.wg.Done() // the re-check will never run to do it
	}
	e.stopTimer = nil
}

// close stops listening and cuts the endpoint's connections, as a droplet
// powering off does; the caller holds s.mu.
func (e *sshEndpoint) close() {
	if e.ln != nil {
		_ = e.ln.Close()
		e.ln = nil
	}
	for conn := range e.conns {
		_ = conn.Close()
		delete(e.conns, conn)
	}
}

// stop closes the endpoint for good; the caller holds s.mu. A nil endpoint
// (no SSHPort) has nothing to stop.
func (e *sshEndpoint) stop() {
	if e == nil || e.stopped {
		return
	}
	e.stopped = true
	e.disarm()
	e.close()
}

// openSSH starts listening unless the endpoint already does; the caller
// holds s.mu.
func (s *Server) openSSH(e *sshEndpoint) {
	if e.ln != nil {
		return
	}
	ln, err := net.Listen("tcp", e.addr)
	if err != nil {
		// The droplet stays active without SSH, as a real one with a broken
		// sshd would; the API carries on.
		s.opts.Logf("dosim: ssh endpoint %s: %v", e.addr, err)
		return
	}
	e.ln = ln
	s.sshWG.Add(1)
	go s.acceptSSH(e, ln)
}

func (s *Server) acceptSSH(e *sshEndpoint, ln net.Listener) {
	defer s.sshWG.Done()
	for {
		conn, err := ln.Accept()
		if err != nil {
			return // close shut the listener
		}
		if !s.track(e, ln, conn) {
			continue // accepted just as the listener closed; Accept now fails
		}
		s.sshWG.Add(1)
		go func() {
			defer s.sshWG.Done()
			defer s.untrack(e, conn)
			s.serveSSH(e, ln, conn)
		}()
	}
}

// track registers conn, which came through listener ln, so that close cuts
// it; when ln is no longer the endpoint's listener it closes conn at once.
func (s *Server) track(e *sshEndpoint, ln net.Listener, conn net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.stopped || e.ln != ln {
		_ = conn.Close()
		return false
	}
	e.conns[conn] = struct{}{}
	return true
}

func (s *Server) untrack(e *sshEndpoint, conn net.Conn) {
	s.mu.Lock()
	delete(e.conns, conn)
	s.mu.Unlock()
	_ = conn.Close()
}

// serveSSH answers with the banner, or splices the connection to SSHBackend
// until either side hangs up.
func (s *Server) serveSSH(e *sshEndpoint, ln net.Listener, conn net.Conn) {
	if s.opts.SSHBackend == "" {
		_, _ = io.WriteString(conn, sshBanner)
		return
	}
	backend, err := net.DialTimeout("tcp", s.opts.SSHBackend, 5*time.Second)
	if err != nil {
		s.opts.Logf("dosim: ssh endpoint %s: backend: %v", e.addr, err)
		return
	}
	if !s.track(e, ln, backend) {
		return
	}
	defer s.untrack(e, backend)
	done := make(chan struct{}, 2)
	splice := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go splice(backend, conn)
	go splice(conn, backend)
	<-done
	_ = conn.Close()
	_ = backend.Close()
	<-done
}
