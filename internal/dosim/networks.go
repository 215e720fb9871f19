package dosim

import (
	"math/rand/v2"
	"net/netip"
	"sync/atomic"
)

// networkV4JSON is specification/resources/droplets/models/network_v4.yml;
// private interfaces have no gateway.
type networkV4JSON struct {
	IPAddress string `json:"ip_address"`
	Netmask   string `json:"netmask"`
	Gateway   string `json:"gateway,omitempty"`
	Type      string `json:"type"`
}

// networkV6JSON is specification/resources/droplets/models/network_v6.yml.
type networkV6JSON struct {
	IPAddress string `json:"ip_address"`
	Netmask   int    `json:"netmask"`
	Gateway   string `json:"gateway"`
	Type      string `json:"type"`
}

type networksJSON struct {
	V4 []networkV4JSON `json:"v4"`
	V6 []networkV6JSON `json:"v6"`
}

// publicSeq numbers public IPv4 addresses process-wide, so simulators in
// parallel tests never hand out the same address for their SSH endpoints. It
// starts at a random point so concurrent test processes rarely collide.
var publicSeq = func() *atomic.Uint32 {
	var n atomic.Uint32
	n.Store(rand.Uint32N(1 << 21))
	return &n
}()

// publicIPv4 returns a fresh address in 127.64.0.0/10, each /24 holding hosts
// .2 to .254 behind gateway .1: loopback on Linux, yet never 127.0.0.1.
func publicIPv4() (addr, gateway netip.Addr) {
	n := publicSeq.Add(1)
	block := 64<<16 | (n/253)%(1<<14)<<8 // 127.64.0.0 + which /24 within the /10
	host := n%253 + 2
	return ipv4(127<<24 | block | host), ipv4(127<<24 | block | 1)
}

func ipv4(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// addressPool numbers a simulator's private and IPv6 addresses.
type addressPool struct {
	private, v6 uint32
}

// privateIPv4 returns the next address in the region's 10.(100+region).0.0/16
// VPC; the caller holds s.mu.
func (p *addressPool) privateIPv4(region int) netip.Addr {
	p.private++
	return ipv4(10<<24 | uint32(100+region)<<16 | (p.private/253)%256<<8 | (p.private%253 + 2))
}

// publicIPv6 returns the next address and gateway in the region's /64 of
// 2001:db8::/32, the documentation range; the caller holds s.mu.
func (p *addressPool) publicIPv6(region int) (addr, gateway netip.Addr) {
	p.v6++
	var b [16]byte
	b[0], b[1], b[2], b[3] = 0x20, 0x01, 0x0d, 0xb8
	b[7] = byte(region + 1)
	gw := b
	gw[15] = 1
	b[12], b[13], b[14], b[15] = 0, 0x10, byte(p.v6>>8), byte(p.v6)
	return netip.AddrFrom16(b), netip.AddrFrom16(gw)
}
