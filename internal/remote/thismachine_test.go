package remote

import (
	"errors"
	"net"
	"strings"
	"testing"
)

func TestThisMachine(t *testing.T) {
	// This machine, as a fake: one public address, one private IPv6.
	own := func() ([]net.Addr, error) {
		return []net.Addr{
			&net.IPNet{IP: net.ParseIP("203.0.113.9"), Mask: net.CIDRMask(24, 32)},
			&net.IPAddr{IP: net.ParseIP("fd00::9")},
		}, nil
	}
	for host, want := range map[string]string{
		"127.0.0.1":          "a loopback address",
		"127.64.0.2":         "a loopback address", // a droplet of `mage sim`
		"127.255.255.254":    "a loopback address",
		"::1":                "a loopback address",
		"::ffff:127.0.0.1":   "a loopback address",
		"::ffff:7f40:2":      "a loopback address", // 127.64.0.2, IPv4-mapped
		"0.0.0.0":            "the unspecified address, which connects to this machine",
		"::":                 "the unspecified address, which connects to this machine",
		"203.0.113.9":        "an address of one of its network interfaces",
		"::ffff:203.0.113.9": "an address of one of its network interfaces",
		"fd00::9":            "an address of one of its network interfaces",
		"203.0.113.10":       "", // the same network, another machine
		"198.51.100.7":       "",
		"fd00::10":           "",
		"128.0.0.1":          "",
	} {
		got, err := thisMachine(host, own)
		if err != nil || got != want {
			t.Errorf("thisMachine(%s) = %q, %v; want %q", host, got, err, want)
		}
	}
}

// Every address of this machine's real interfaces is this machine (the
// loopback ones at least, and on most machines a network address too).
func TestThisMachineOwnAddresses(t *testing.T) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	if len(addrs) == 0 {
		t.Fatal("no interface addresses: the tests need loopback networking")
	}
	for _, a := range addrs {
		ip := a.(*net.IPNet).IP
		if ip.IsLinkLocalUnicast() {
			continue // needs a zone to be dialled, and ParseIP takes none
		}
		if why, err := ThisMachine(ip.String()); why == "" || err != nil {
			t.Errorf("ThisMachine(%s), an address of this machine = %q, %v", ip, why, err)
		}
	}
	// An address that is none of them is not this machine.
	other := "192.0.2.1"
	for _, a := range addrs {
		if a.(*net.IPNet).IP.Equal(net.ParseIP(other)) {
			other = "198.51.100.1" // documentation addresses: at most one is this machine's
		}
	}
	if why, err := ThisMachine(other); why != "" || err != nil {
		t.Errorf("ThisMachine(%s), not an address of this machine = %q, %v", other, why, err)
	}
}

// When it cannot tell, it says so: the caller must not take that for no.
func TestThisMachineCannotTell(t *testing.T) {
	if _, err := thisMachine("droplet.example", nil); err == nil || !strings.Contains(err.Error(), "not an IP address") {
		t.Errorf("a name: %v", err)
	}
	broken := func() ([]net.Addr, error) { return nil, errors.New("netlink: permission denied") }
	if _, err := thisMachine("198.51.100.7", broken); err == nil || !strings.Contains(err.Error(), "netlink: permission denied") {
		t.Errorf("interfaces unlisted: %v", err)
	}
	// A loopback address needs no list.
	if why, err := thisMachine("127.0.0.1", broken); why == "" || err != nil {
		t.Errorf("loopback without the list: %q, %v", why, err)
	}
}
