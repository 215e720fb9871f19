// Package remote runs commands on servers over SSH, verifying their host keys
// against known_hosts and trusting a new server on first use.
package remote

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/Gleipnir-Technology/nixos-systems/internal/cmdline"
)

// Client is an authenticated SSH connection. It runs any number of commands,
// one after another or at once, until Close.
type Client struct {
	ssh         *ssh.Client
	target      string        // user@host[:port], for messages
	hostKey     ssh.PublicKey // as known_hosts verified it
	fingerprint string

	closeOnce sync.Once
	closing   chan struct{} // closed when Close starts: sessions may be cut once their shell started
	done      chan struct{} // closed when Close has waited: stops the keepalive

	mu   sync.Mutex
	lost error         // why the keepalive gave the connection up, if it did
	held int           // sessions whose shell is starting, and cancelled commands being ended
	idle chan struct{} // closed when held drops to zero while Close waits
	shut bool          // Close has started: no new sessions
}

// Dial connects to host (an IP or name, no port) and logs in as cfg says.
// It fails with *HostKeyChangedError when the server's key differs from the
// known one and with *AuthError when the server refuses every key offered.
func Dial(ctx context.Context, host string, cfg Config) (*Client, error) {
	addr := cfg.Addr(host)
	target := cfg.user() + "@" + cfg.displayHost(host)

	creds, err := loadCredentials(cfg)
	if err != nil {
		return nil, err
	}
	defer creds.close()
	hostKeys, err := newHostKeys(cfg)
	if err != nil {
		return nil, err
	}
	algorithms, err := hostKeys.algorithms(addr)
	if err != nil {
		return nil, err
	}

	timeout := cfg.dialTimeout()
	ctx, cancel := context.WithTimeoutCause(ctx, timeout,
		fmt.Errorf("no ssh handshake within %s: %w", cmdline.Format(timeout), context.DeadlineExceeded))
	defer cancel()
	conn, err := new(net.Dialer).DialContext(ctx, "tcp", addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("ssh %s: %w", target, context.Cause(ctx))
		}
		return nil, fmt.Errorf("ssh %s: %w", target, err)
	}
	// The handshake takes no context: closing the socket is what ends a
	// server that accepted but never speaks.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	sshConn, chans, reqs, err := ssh.NewClientConn(conn, addr, &ssh.ClientConfig{
		User:              cfg.user(),
		Auth:              creds.authMethods(),
		HostKeyCallback:   hostKeys.check,
		HostKeyAlgorithms: algorithms,
	})
	if !stop() {
		if err == nil {
			sshConn.Close()
		}
		return nil, fmt.Errorf("ssh %s: %w", target, context.Cause(ctx))
	}
	if err != nil {
		return nil, handshakeError(err, cfg.user(), cfg.displayHost(host), creds.identities)
	}

	c := &Client{
		ssh:         ssh.NewClient(sshConn, chans, reqs),
		target:      target,
		hostKey:     hostKeys.seen,
		fingerprint: hostKeys.fingerprint(),
		closing:     make(chan struct{}),
		done:        make(chan struct{}),
	}
	go c.keepAlive(cfg.keepAlive())
	return c, nil
}

// handshakeError turns a failed handshake into the error an operator can act on.
func handshakeError(err error, user, host string, identities []string) error {
	var changed *HostKeyChangedError
	if errors.As(err, &changed) {
		return changed
	}
	// x/crypto has no error type for a refused login, only these messages:
	// its own when no method remains, and sshd's when MaxAuthTries runs out.
	msg := err.Error()
	if strings.Contains(msg, "unable to authenticate") || strings.Contains(msg, "Too many authentication failures") {
		return &AuthError{User: user, Host: host, Identities: identities, Err: err}
	}
	return fmt.Errorf("ssh %s@%s: %w", user, host, err)
}

// OtherHostKey returns the host key the server showed when it is of key's
// type but is not key: the server holds another key of that type than the
// one recorded elsewhere (a host entry). It returns nil when the server
// showed key, or a key of another type, which says nothing about key.
func (c *Client) OtherHostKey(key ssh.PublicKey) ssh.PublicKey {
	shown := c.hostKey
	if shown == nil || shown.Type() != key.Type() || ssh.FingerprintSHA256(shown) == ssh.FingerprintSHA256(key) {
		return nil
	}
	return shown
}

// HostKeyFingerprint returns the SHA256 fingerprint of the server's host key.
func (c *Client) HostKeyFingerprint() string { return c.fingerprint }

// closeWait bounds how long Close waits for shells to start and cancelled
// commands to be ended; a shell slower than that is taken as hung. A server
// that stopped answering is given up sooner, by the keepalive.
const closeWait = time.Minute

// Close ends the connection. It first lets every shell still reading its
// startup files finish, and every cancelled command be sent its SIGTERM (see
// watch). Commands still running on it fail, though on the server they run
// on: sshd does not end a command without a terminal when its connection
// goes. Cancel a command's context to end it.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.shut = true
		idle := make(chan struct{})
		if c.held == 0 {
			close(idle)
		} else {
			c.idle = idle
		}
		c.mu.Unlock()
		close(c.closing)
		select {
		case <-idle:
		case <-time.After(closeWait):
		}
		close(c.done)
	})
	return c.ssh.Close()
}

// hold counts a session that Close must wait for; false once Close started.
func (c *Client) hold() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shut {
		return false
	}
	c.held++
	return true
}

func (c *Client) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held--
	if c.held == 0 && c.idle != nil {
		close(c.idle)
		c.idle = nil
	}
}
