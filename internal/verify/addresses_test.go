package verify

import (
	"encoding/json"
	"testing"
)

func TestFindAddress(t *testing.T) {
	var ifaces []iface
	if err := json.Unmarshal(readTestdata(t, "ip-addr.json"), &ifaces); err != nil {
		t.Fatal(err)
	}
	const have = "127.0.0.1/8, ::1/128, 203.0.113.7/20, 10.48.0.5/16, 2604:a880:4:1d0::5a:1000/64, fe80::983c:11ff:fe8e:4207/64"
	for _, tc := range []struct {
		addr, want, wantErr string
	}{
		{addr: "203.0.113.7", want: "203.0.113.7 on eth0"},
		// DigitalOcean writes IPv6 addresses in full; ip writes them short.
		{addr: "2604:A880:0004:01D0:0000:0000:005A:1000", want: "2604:A880:0004:01D0:0000:0000:005A:1000 on eth0"},
		{addr: "127.64.0.9", want: "127.64.0.9 on lo (within 127.0.0.1/8)"},
		// A neighbour in eth0's subnet is not this machine.
		{addr: "203.0.113.9", wantErr: "203.0.113.9, the droplet's address, is not configured (the machine has " + have + "); its network configuration did not apply"},
		{addr: "no-address", wantErr: `"no-address" is not an IP address`},
	} {
		got, err := findAddress(ifaces, tc.addr)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("findAddress(%s) error = %v\nwant %s", tc.addr, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("findAddress(%s) = %q, %v; want %q", tc.addr, got, err, tc.want)
		}
	}
}
