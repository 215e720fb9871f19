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
)

// freePort finds a TCP port nothing listens on; droplet endpoints listen on
// their own 127.64.x.y addresses, so only the port number matters.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// sshAddr waits for the droplet's networks and returns its SSH endpoint.
func sshAddr(t *testing.T, e *env, id, port int) string {
	t.Helper()
	var ip string
	eventually(t, time.Second, "public IPv4", func() bool {
		d, _, err := e.client.Droplets.Get(ctx, id)
		if err != nil {
			return false
		}
		ip, err = d.PublicIPv4()
		return err == nil && ip != ""
	})
	return net.JoinHostPort(ip, strconv.Itoa(port))
}

// banner dials addr and reads the first line, or returns the error.
func banner(addr string) (string, error) {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	return bufio.NewReader(conn).ReadString('\n')
}

func TestSSHEndpointLifecycle(t *testing.T) {
	const boot, sshDelay = 40 * time.Millisecond, 120 * time.Millisecond
	port := freePort(t)
	e := newEnv(t, Options{BootTime: boot, SSHDelay: sshDelay, SSHPort: port})
	start := time.Now()
	d, _ := e.createDroplet(t, nil)
	addr := sshAddr(t, e, d.ID, port)

	eventually(t, time.Second, "active", func() bool {
		got, _, err := e.client.Droplets.Get(ctx, d.ID)
		return err == nil && got.Status == "active"
	})
	_, err := banner(addr)
	if time.Since(start) < boot+sshDelay && err == nil {
		t.Errorf("SSH answered %v after create, before BootTime+SSHDelay", time.Since(start))
	}
	var line string
	eventually(t, 2*time.Second, "SSH banner", func() bool {
		line, err = banner(addr)
		return err == nil
	})
	if elapsed := time.Since(start); elapsed < boot+sshDelay {
		t.Errorf("SSH answered after %v, before BootTime+SSHDelay %v", elapsed, boot+sshDelay)
	}
	if line != sshBanner {
		t.Errorf("banner %q, want %q", line, sshBanner)
	}

	if _, err := e.client.Droplets.Delete(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := banner(addr); err == nil {
		t.Error("SSH still answers after the droplet was deleted")
	}
}

func TestSSHEndpointForwardsToBackend(t *testing.T) {
	backend, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Close()
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(1)
	go func() { // a stand-in sshd: banner, then echo
		defer wg.Done()
		conn, err := backend.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprint(conn, "SSH-2.0-OpenSSH_9.6 stand-in\r\n")
		_, _ = io.Copy(conn, conn)
	}()

	port := freePort(t)
	e := newEnv(t, Options{SSHPort: port, SSHBackend: backend.Addr().String()})
	d, _ := e.createDroplet(t, nil)
	addr := sshAddr(t, e, d.ID, port)
	var conn net.Conn
	eventually(t, time.Second, "SSH endpoint", func() bool {
		conn, err = net.Dial("tcp", addr)
		return err == nil
	})
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	r := bufio.NewReader(conn)
	if line, err := r.ReadString('\n'); err != nil || line != "SSH-2.0-OpenSSH_9.6 stand-in\r\n" {
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
	e := newEnv(t, Options{SSHPort: port, SSHDelay: 500 * time.Millisecond, Logf: func(format string, args ...any) {
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
	eventually(t, 3*time.Second, "the listen failure to be logged", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(logs) == 1 && strings.Contains(logs[0], addr)
	})
	if got, _, err := e.client.Droplets.Get(ctx, d.ID); err != nil || got.Status != "active" {
		t.Errorf("droplet after the failure: %+v, %v", got, err)
	}
}

func TestNoSSHEndpointWhenNeverActive(t *testing.T) {
	port := freePort(t)
	e := newEnv(t, Options{SSHPort: port, NeverActive: true})
	d, _ := e.createDroplet(t, basicRequest("stuck"))
	addr := sshAddr(t, e, d.ID, port)
	time.Sleep(20 * time.Millisecond)
	if _, err := banner(addr); err == nil {
		t.Error("a droplet that never boots answers SSH")
	}
}
