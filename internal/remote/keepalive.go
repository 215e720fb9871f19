package remote

import (
	"fmt"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/cmdline"
)

// keepAlive probes the server every interval and closes the connection when
// a probe goes unanswered for three. TCP alone can take many minutes to
// notice a server that vanished (rebooted into a new system, destroyed
// mid-command); until it does, a running command would hang.
func (c *Client) keepAlive(interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-ticker.C:
		}
		reply := make(chan error, 1)
		go func() {
			// sshd answers this unknown request with a failure, which is an answer.
			_, _, err := c.ssh.SendRequest("keepalive@openssh.com", true, nil)
			reply <- err
		}()
		select {
		case <-c.done:
			return
		case err := <-reply:
			if err != nil {
				return // the connection is already gone, and its users see why
			}
		case <-time.After(3 * interval):
			c.mu.Lock()
			c.lost = fmt.Errorf("connection to %s lost: the server left a keepalive unanswered for %s", c.target, cmdline.Format(3*interval))
			c.mu.Unlock()
			c.ssh.Close()
			return
		}
	}
}

// lostOr returns why the keepalive closed the connection, if it did, for
// that says more than the error a command saw when its connection closed.
func (c *Client) lostOr(err error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lost != nil {
		return fmt.Errorf("%w (%v)", c.lost, err)
	}
	return err
}
