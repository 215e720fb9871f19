package remote

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/cmdline"
)

// progressEvery is how often WaitForSSH reports that it is still waiting.
const progressEvery = 10 * time.Second

// WaitForSSH polls addr ("host:port") every interval (0 = 1s) until a
// server there sends an SSH banner. An open port is not enough: a booting
// droplet can accept connections before sshd is ready to speak. Each attempt
// lasts at most min(4*interval, 5s). progress, if not nil, is called about
// every 10 s of waiting with the time waited so far. When ctx ends first, the
// error wraps ctx.Err() and says what the last attempt saw.
func WaitForSSH(ctx context.Context, addr string, interval time.Duration, progress func(elapsed time.Duration)) error {
	if interval <= 0 {
		interval = time.Second
	}
	return waitForSSH(ctx, addr, interval, min(4*interval, 5*time.Second), progressEvery, progress)
}

func waitForSSH(ctx context.Context, addr string, interval, attemptTimeout, every time.Duration, progress func(time.Duration)) error {
	start := time.Now()
	lastProgress := start
	for {
		err := probeSSH(ctx, addr, attemptTimeout)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("wait for ssh on %s: %w (last attempt: %v)", addr, ctx.Err(), err)
		}
		if progress != nil && time.Since(lastProgress) >= every {
			lastProgress = time.Now()
			progress(lastProgress.Sub(start))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for ssh on %s: %w (last attempt: %v)", addr, ctx.Err(), err)
		case <-time.After(interval):
		}
	}
}

// probeSSH connects to addr and reads until the server's version line. RFC
// 4253 lets a server send other lines before it, so those are skipped.
func probeSSH(ctx context.Context, addr string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := new(net.Dialer).DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	connected := time.Now()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	// The limit bounds what a talkative non-SSH service can make us read.
	r := bufio.NewReader(io.LimitReader(conn, 8<<10))
	for {
		line, err := r.ReadString('\n')
		if strings.HasPrefix(line, "SSH-") {
			return nil
		}
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return fmt.Errorf("%s accepted the connection but sent no ssh banner in %s", addr, cmdline.Format(time.Since(connected).Round(time.Millisecond)))
		case errors.Is(err, io.EOF):
			return fmt.Errorf("%s closed the connection without an ssh banner", addr)
		default:
			return fmt.Errorf("read ssh banner from %s: %w", addr, err)
		}
	}
}
