package dosim

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// freePort finds a TCP port nothing listens on; droplet endpoints listen on
// their own 127.64.x.y addresses, so only the port number matters.
func freePort(t *testing.T) int { return sshtest.FreePort(t, "127.0.0.1") }

// sshAddr returns the droplet's SSH endpoint, which its networks must
// already show.
func sshAddr(t *testing.T, e *env, id, port int) string {
	t.Helper()
	d, _, err := e.client.Droplets.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	ip, err := d.PublicIPv4()
	if err != nil || ip == "" {
		t.Fatalf("droplet %d has no public IPv4 yet: %+v, %v", id, d.Networks, err)
	}
	return net.JoinHostPort(ip, strconv.Itoa(port))
}

// banner dials addr and reads the first line, or returns the error.
func banner(addr string) (string, error) {
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second)) // a bound against hanging, not a speed limit
	return bufio.NewReader(conn).ReadString('\n')
}

func TestSSHEndpointLifecycle(t *testing.T) {
	const boot, sshDelay = 40 * time.Second, 120 * time.Second
	port := freePort(t)
	e := newEnv(t, Options{BootTime: boot, SSHDelay: sshDelay, SSHPort: port})
	d, _ := e.createDroplet(t, nil)
	addr := sshAddr(t, e, d.ID, port)

	e.clock.Advance(boot)
	if got, _, err := e.client.Droplets.Get(ctx, d.ID); err != nil || got.Status != "active" {
		t.Fatalf("at BootTime: %+v, %v; want active", got, err)
	}
	e.clock.Advance(sshDelay - time.Nanosecond)
	if _, err := banner(addr); err == nil {
		t.Error("SSH answers before BootTime+SSHDelay")
	}
	e.clock.Advance(time.Nanosecond)
	if line, err := banner(addr); err != nil || line != sshBanner {
		t.Errorf("at BootTime+SSHDelay: banner %q, %v; want %q", line, err, sshBanner)
	}

	if _, err := e.client.Droplets.Delete(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := banner(addr); err == nil {
		t.Error("SSH still answers after the droplet was deleted")
	}
}

// standInSSHD listens on loopback like an sshd: each connection gets a
// banner, then an echo of what it sends. It returns the address.
func standInSSHD(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				fmt.Fprint(conn, standInBanner)
				_, _ = io.Copy(conn, conn)
			}()
		}
	}()
	return ln.Addr().String()
}

const standInBanner = "SSH-2.0-OpenSSH_9.6 stand-in\r\n"

func TestSSHEndpointForwardsToBackend(t *testing.T) {
	// On the wall clock, as `mage sim` runs it: with no delays the endpoint
	// opens at once.
	port := freePort(t)
	e := newEnv(t, Options{SSHPort: port, SSHBackend: standInSSHD(t), Clock: wallClock{}})
	d, _ := e.createDroplet(t, nil)
	addr := sshAddr(t, e, d.ID, port)
	var conn net.Conn
	var err error
	sshtest.Eventually(t, "the SSH endpoint to listen", func() bool {
		conn, err = net.Dial("tcp", addr)
		return err == nil
	})
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	if line, err := r.ReadString('\n'); err != nil || line != standInBanner {
		t.Fatalf("banner through the endpoint %q, %v", line, err)
	}
	fmt.Fprint(conn, "ping\n")
	if line, err := r.ReadString('\n'); err != nil || line != "ping\n" {
		t.Errorf("echo through the endpoint %q, %v", line, err)
	}

	// Close cuts the spliced connection and stops the endpoint.
	e.sim.Close()
	if _, err := r.ReadString('\n'); err == nil {
		t.Error("spliced connection survived Close")
	}
	if _, err := banner(addr); err == nil {
		t.Error("SSH endpoint answers after Close")
	}
}

func TestSSHEndpointListenFailureIsLogged(t *testing.T) {
	var mu sync.Mutex
	var logs []string
	port := freePort(t)
	e := newEnv(t, Options{SSHPort: port, SSHDelay: time.Minute, Logf: func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		logs = append(logs, fmt.Sprintf(format, args...))
	}})
	d, _ := e.createDroplet(t, nil)
	addr := sshAddr(t, e, d.ID, port)
	squatter, err := net.Listen("tcp", addr) // take the address before the endpoint does
	if err != nil {
		t.Fatal(err)
	}
	defer squatter.Close()
	e.clock.Advance(time.Minute)
	mu.Lock()
	if len(logs) != 1 || !strings.Contains(logs[0], addr) {
		t.Errorf("logged %q, want the listen failure on %s", logs, addr)
	}
	mu.Unlock()
	if got, _, err := e.client.Droplets.Get(ctx, d.ID); err != nil || got.Status != "active" {
		t.Errorf("droplet after the failure: %+v, %v", got, err)
	}
}

func TestNoSSHEndpointWhenNeverActive(t *testing.T) {
	port := freePort(t)
	e := newEnv(t, Options{SSHPort: port, NeverActive: true})
	d, _ := e.createDroplet(t, basicRequest("stuck"))
	addr := sshAddr(t, e, d.ID, port)
	e.clock.Advance(24 * time.Hour)
	if _, err := banner(addr); err == nil {
		t.Error("a droplet that never boots answers SSH")
	}
}
