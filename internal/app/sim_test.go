package app

import "testing"

func TestSimPortTrap(t *testing.T) {
	for _, tc := range []struct {
		url, envPort string
		port         int
		want         bool
	}{
		{"http://127.0.0.1:8455/", "", 22, true},
		{"http://[::1]:8455/", "", 22, true},
		{"http://localhost:8455", "", 22, true},
		{"http://127.0.0.1:8455/", "2222", 2222, false}, // exported as `mage sim` says
		{"http://127.0.0.1:8455/", "22", 22, false},     // exported on purpose, e.g. a proxy to DigitalOcean
		{"http://127.0.0.1:8455/", "", 2222, false},     // the settings file says so
		{"https://api.digitalocean.com/", "", 22, false},
		{"http://10.0.0.5:8455/", "", 22, false},
		{"::not a url", "", 22, false},
	} {
		getenv := func(k string) string {
			if k == "DROPLET_SSH_PORT" {
				return tc.envPort
			}
			return ""
		}
		if got := simPortTrap(tc.url, tc.port, getenv); got != tc.want {
			t.Errorf("simPortTrap(%q, %d, DROPLET_SSH_PORT=%q) = %t, want %t", tc.url, tc.port, tc.envPort, got, tc.want)
		}
	}
}
