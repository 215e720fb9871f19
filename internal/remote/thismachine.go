package remote

import (
	"fmt"
	"net"
)

// ThisMachine says whether host, an IP address, reaches this machine, and
// why: a loopback address (127.0.0.0/8, ::1, and their IPv4-mapped forms,
// where `mage sim` puts its droplets), the unspecified address (which
// connects here), or an address of one of its network interfaces. It
// returns "" when host is none of those. An error means it cannot tell
// (host is not an IP address, or the interfaces cannot be listed), which a
// caller about to change the machine at host must treat as a yes.
func ThisMachine(host string) (string, error) {
	return thisMachine(host, net.InterfaceAddrs)
}

// thisMachine is ThisMachine with the interface addresses from own.
func thisMachine(host string, own func() ([]net.Addr, error)) (string, error) {
	ip := net.ParseIP(host)
	switch {
	case ip == nil:
		return "", fmt.Errorf("%q is not an IP address, so it cannot be told apart from this machine", host)
	case ip.IsLoopback():
		return "a loopback address", nil
	case ip.IsUnspecified():
		return "the unspecified address, which connects to this machine", nil
	}
	addrs, err := own()
	if err != nil {
		return "", fmt.Errorf("list this machine's addresses, to tell %s apart from them: %w", host, err)
	}
	for _, a := range addrs {
		var mine net.IP
		switch a := a.(type) {
		case *net.IPNet:
			mine = a.IP
		case *net.IPAddr:
			mine = a.IP
		}
		if mine.Equal(ip) { // Equal sees an IPv4 address and its IPv4-mapped form as one
			return "an address of one of its network interfaces", nil
		}
	}
	return "", nil
}
