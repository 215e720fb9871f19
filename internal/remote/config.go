package remote

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config says how to reach and trust a server. The zero value logs in as
// root on port 22 with the operator's usual keys and known_hosts.
type Config struct {
	User           string        // "" = "root"
	Port           int           // 0 = 22
	IdentityFile   string        // private key file; "" = ssh-agent via SSH_AUTH_SOCK, plus ~/.ssh/id_ed25519, id_ecdsa, id_rsa that exist
	KnownHostsFile string        // "" = ~/.ssh/known_hosts (created 0600 with its directory 0700 if missing)
	DialTimeout    time.Duration // TCP+handshake bound; 0 = 15s
	Log            io.Writer     // trust-on-first-use notices; nil = os.Stderr

	// KeepAlive is how often an open connection probes the server; 0 = 15s.
	// A server that leaves a probe unanswered for three intervals is taken
	// as gone and the connection is closed, so a command whose server
	// rebooted or dropped off the network fails instead of hanging.
	KeepAlive time.Duration
}

// Identity returns the key file Dial offers when cfg names one, with a
// leading ~ expanded, so an OpenSSH step can pass the same -i. It returns ""
// when Dial offers the ssh-agent keys and the default key files instead,
// which is what OpenSSH offers when given no -i.
func (cfg Config) Identity() string {
	if cfg.IdentityFile == "" {
		return ""
	}
	path, err := expandHome(cfg.IdentityFile)
	if err != nil {
		return cfg.IdentityFile
	}
	return path
}

// Login is the user@host that ssh(1) would be given for host.
func (cfg Config) Login(host string) string {
	return cfg.user() + "@" + host
}

func (cfg Config) user() string {
	if cfg.User == "" {
		return "root"
	}
	return cfg.User
}

// Addr is host's SSH address under cfg ("host:port"), for Dial and for
// whatever waits for the port first.
func (cfg Config) Addr(host string) string {
	return net.JoinHostPort(host, strconv.Itoa(cfg.port()))
}

func (cfg Config) port() int {
	if cfg.Port == 0 {
		return 22
	}
	return cfg.Port
}

func (cfg Config) dialTimeout() time.Duration {
	if cfg.DialTimeout == 0 {
		return 15 * time.Second
	}
	return cfg.DialTimeout
}

func (cfg Config) log() io.Writer {
	if cfg.Log == nil {
		return os.Stderr
	}
	return cfg.Log
}

func (cfg Config) keepAlive() time.Duration {
	if cfg.KeepAlive == 0 {
		return 15 * time.Second
	}
	return cfg.KeepAlive
}

// KnownHosts returns the known_hosts file Dial verifies host keys with,
// with a leading ~ expanded, so an OpenSSH step can pass the same
// UserKnownHostsFile.
func (cfg Config) KnownHosts() (string, error) {
	if cfg.KnownHostsFile == "" {
		return expandHome("~/.ssh/known_hosts")
	}
	return expandHome(cfg.KnownHostsFile)
}

// displayHost names the server in messages: host, with :port off port 22.
func (cfg Config) displayHost(host string) string {
	if cfg.port() == 22 {
		return host
	}
	return cfg.Addr(host)
}

// expandHome expands a leading ~, which settings files carry verbatim
// because no shell saw them.
func expandHome(path string) (string, error) {
	if path != "~" && !strings.HasPrefix(path, "~/") {
		return path, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("expand %s: %w", path, err)
	}
	return filepath.Join(home, path[1:]), nil
}
