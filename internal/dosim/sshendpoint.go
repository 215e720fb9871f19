package dosim

import (
	"io"
	"net"
	"strconv"
	"sync"
	"time"
)

// sshBanner is what the endpoint sends when no SSHBackend is set: enough for
// a client waiting for SSH to answer, after which the endpoint hangs up.
const sshBanner = "SSH-2.0-dosim\r\n"

// sshEndpoint is a droplet's sshd stand-in: a TCP listener on the droplet's
// public IPv4 that opens SSHDelay after the droplet turns active and closes
// when the droplet is deleted or the simulator closed. Its fields are
// guarded by the Server's mutex.
type sshEndpoint struct {
	addr      string
	wg        *sync.WaitGroup
	stopTimer func() bool
	ln        net.Listener
	conns     map[net.Conn]struct{}
	stopped   bool
}

// scheduleSSH arms d's endpoint when the options ask for one and d will ever
// boot; the caller holds s.mu.
func (s *Server) scheduleSSH(d *droplet) {
	if s.opts.SSHPort == 0 || s.closed || s.opts.NeverActive || s.opts.ActionsError {
		return
	}
	e := &sshEndpoint{
		addr:  net.JoinHostPort(d.publicIP.String(), strconv.Itoa(s.opts.SSHPort)),
		wg:    &s.sshWG,
		conns: map[net.Conn]struct{}{},
	}
	d.ssh = e
	s.sshWG.Add(1)
	e.stopTimer = s.opts.Clock.AfterFunc(s.opts.BootTime+s.opts.SSHDelay, func() {
		defer s.sshWG.Done()
		s.openSSH(e)
	})
}

// stop closes the endpoint and its connections, or cancels its opening; the
// caller holds s.mu. A nil endpoint (no SSHPort) has nothing to stop.
func (e *sshEndpoint) stop() {
	if e == nil || e.stopped {
		return
	}
	e.stopped = true
	if e.stopTimer() {
		e.wg.Done() // the timer's function will never run to do it
	}
	if e.ln != nil {
		_ = e.ln.Close()
	}
	for conn := range e.conns {
		_ = conn.Close()
	}
}

func (s *Server) openSSH(e *sshEndpoint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.stopped {
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
			return // stop closed the listener
		}
		if !s.track(e, conn) {
			return
		}
		s.sshWG.Add(1)
		go func() {
			defer s.sshWG.Done()
			defer s.untrack(e, conn)
			s.serveSSH(e, conn)
		}()
	}
}

// track registers conn so that stop closes it, or closes it at once when
// the endpoint already stopped.
func (s *Server) track(e *sshEndpoint, conn net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.stopped {
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
func (s *Server) serveSSH(e *sshEndpoint, conn net.Conn) {
	if s.opts.SSHBackend == "" {
		_, _ = io.WriteString(conn, sshBanner)
		return
	}
	backend, err := net.DialTimeout("tcp", s.opts.SSHBackend, 5*time.Second)
	if err != nil {
		s.opts.Logf("dosim: ssh endpoint %s: backend: %v", e.addr, err)
		return
	}
	if !s.track(e, backend) {
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
