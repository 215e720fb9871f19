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

	"golang.org/x/crypto/ssh"
)

// Client is an authenticated SSH connection. It runs any number of commands,
// one after another or at once, until Close.
type Client struct {
	ssh         *ssh.Client
	target      string // user@host[:port], for messages
	hostKey     ssh.PublicKey
	fingerprint string

	closeOnce sync.Once
	done      chan struct{} // closed by Close: stops the keepalive

	mu   sync.Mutex
	lost error // why the keepalive gave the connection up, if it did
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
		fmt.Errorf("no ssh handshake within %s: %w", timeout, context.DeadlineExceeded))
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

// HostKey returns the host key the server showed, as known_hosts verified it.
func (c *Client) HostKey() ssh.PublicKey { return c.hostKey }

// HostKeyFingerprint returns the SHA256 fingerprint of the server's host key.
func (c *Client) HostKeyFingerprint() string { return c.fingerprint }

// Close ends the connection. Commands still running on it fail, though on
// the server they run on: sshd does not end a command without a terminal
// when its connection goes. Cancel a command's context to end it.
func (c *Client) Close() error {
	c.closeOnce.Do(func() { close(c.done) })
	return c.ssh.Close()
}
