package verify

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
)

// iface is one interface of `ip -j addr show`.
type iface struct {
	Name  string   `json:"ifname"`
	Flags []string `json:"flags"`
	Addrs []struct {
		Local     string `json:"local"`
		PrefixLen int    `json:"prefixlen"`
	} `json:"addr_info"`
}

// readInterfaces lists the addresses configured on the host c is connected to.
func readInterfaces(ctx context.Context, c *remote.Client) ([]iface, error) {
	out, err := c.Output(ctx, "ip -j addr show")
	if err != nil {
		return nil, fmt.Errorf("list addresses: %w", err)
	}
	var ifaces []iface
	if err := json.Unmarshal(out, &ifaces); err != nil {
		return nil, fmt.Errorf("`ip -j addr show` output is not the expected JSON: %w", err)
	}
	return ifaces, nil
}

// findAddress says which interface holds want. An address on a loopback
// interface makes its whole prefix local (Linux answers for all of
// 127.0.0.0/8 on lo), so a loopback prefix that contains want holds it too.
func findAddress(ifaces []iface, want string) (string, error) {
	addr, err := netip.ParseAddr(want)
	if err != nil {
		return "", fmt.Errorf("%q is not an IP address", want)
	}
	var have []string
	for _, i := range ifaces {
		loopback := slices.Contains(i.Flags, "LOOPBACK")
		for _, a := range i.Addrs {
			local, err := netip.ParseAddr(a.Local)
			if err != nil {
				continue
			}
			prefix := netip.PrefixFrom(local, a.PrefixLen)
			have = append(have, prefix.String())
			if local == addr {
				return fmt.Sprintf("%s on %s", want, i.Name), nil
			}
			if loopback && prefix.Masked().Contains(addr) {
				return fmt.Sprintf("%s on %s (within %s)", want, i.Name, prefix), nil
			}
		}
	}
	return "", fmt.Errorf("%s, the droplet's address, is not configured (the machine has %s); its network configuration did not apply",
		want, cmp.Or(strings.Join(have, ", "), "no addresses"))
}
