package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
)

// faultCase is one fault injected into the simulator and what a target must
// do about it: recover, or stop with a one-line error containing want.
type faultCase struct {
	name  string
	fault dosim.Fault
	want  string // "" = the target must succeed
}

// apiFaults are the faults every API-talking target must survive or report.
func apiFaults(method, path string) []faultCase {
	return []faultCase{
		{"429 with Retry-After", dosim.Fault{Method: method, Path: path, Status: 429, RetryAfter: time.Millisecond, Times: 1}, ""},
		{"500 once", dosim.Fault{Method: method, Path: path, Status: 500, Times: 1}, ""},
		{"502 twice", dosim.Fault{Method: method, Path: path, Status: 502, Times: 2}, ""},
		{"503 once", dosim.Fault{Method: method, Path: path, Status: 503, Times: 1}, ""},
		{"slow answer past the timeout", dosim.Fault{Method: method, Path: path, Delay: time.Second, Times: 1}, ""},
		{"dropped connection", dosim.Fault{Method: method, Path: path, Drop: true, Times: 1}, ""},
		{"503 for good", dosim.Fault{Method: method, Path: path, Status: 503}, "DigitalOcean is failing"},
		{"429 beyond the wait limit", dosim.Fault{Method: method, Path: path, Status: 429, RetryAfter: time.Hour}, "rate limit"},
	}
}

// faultEnv is a test env whose client times out fast, so slow answers are
// cheap to test; it waits up to 1s, the shortest Retry-After DigitalOcean sends.
func faultEnv(t *testing.T, opts dosim.Options) *testEnv {
	te := newTestEnv(t, opts)
	c, err := doapi.New(dosim.DefaultToken, doapi.Options{BaseURL: te.URL, MinWait: time.Millisecond, MaxWait: time.Second, RequestTimeout: 300 * time.Millisecond, Log: te.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	te.Client = c
	return te
}

func runFaults(t *testing.T, cases []faultCase, setup func(te *testEnv), run func(te *testEnv) error) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			te := faultEnv(t, fastSim)
			if setup != nil {
				setup(te)
			}
			te.Sim.AddFault(tc.fault)
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("panic: %v", p)
					}
				}()
				err = run(te)
			}()
			if !faultFired(te, tc.fault) {
				t.Fatalf("the fault never fired: no %s %s answered %d", tc.fault.Method, tc.fault.Path, tc.fault.Status)
			}
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("did not recover: %v\nstderr:\n%s", err, te.Stderr)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err = %v, want %q", err, tc.want)
			case err != nil && strings.Contains(err.Error(), "\n"):
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

// faultFired reports whether the simulator answered a request the way f
// says (status 0: no answer, for drops and delays), so a case whose fault
// matched nothing cannot pass by doing nothing.
func faultFired(te *testEnv, f dosim.Fault) bool {
	for _, r := range te.Sim.Requests() {
		if r.Method == f.Method && strings.HasPrefix(r.Path, f.Path) && r.Status == f.Status {
			return true
		}
	}
	return false
}

func TestSizesUnderFaults(t *testing.T) {
	runFaults(t, apiFaults("GET", "/v2/sizes"), nil, func(te *testEnv) error {
		return Sizes(context.Background(), te.Env, "", false)
	})
}

func TestListUnderFaults(t *testing.T) {
	runFaults(t, apiFaults("GET", "/v2/droplets"), nil, func(te *testEnv) error {
		return List(context.Background(), te.Env, false)
	})
}

func TestDestroyUnderFaults(t *testing.T) {
	cases := append(apiFaults("DELETE", "/v2/droplets/"), faultCase{
		"lost answer to the delete", dosim.Fault{Method: "DELETE", Path: "/v2/droplets/", DropAfterHandling: true, Times: 1}, "",
	})
	runFaults(t, cases, func(te *testEnv) {
		if err := Create(context.Background(), te.Env, Overrides{}, false); err != nil {
			t.Fatal(err)
		}
	}, func(te *testEnv) error {
		err := Destroy(context.Background(), te.Env, te.Settings.Name, true, false)
		if err == nil && len(te.Sim.Droplets()) != 0 {
			t.Errorf("destroy reported success but the droplet is still there")
		}
		return err
	})
}

// Create sends one POST; it may be retried only when DigitalOcean cannot have
// acted on it (429). Whatever happens, at most one droplet exists afterwards
// and `mage list` shows it.
func TestCreateUnderFaults(t *testing.T) {
	cases := []faultCase{
		{"429 on the create", dosim.Fault{Method: "POST", Path: "/v2/droplets", Status: 429, RetryAfter: time.Millisecond, Times: 1}, ""},
		{"503 on the create", dosim.Fault{Method: "POST", Path: "/v2/droplets", Status: 503, Times: 1}, "safe to retry"},
		{"dropped before the create", dosim.Fault{Method: "POST", Path: "/v2/droplets", Drop: true, Times: 1}, "safe to retry"},
		{"answer to the create lost", dosim.Fault{Method: "POST", Path: "/v2/droplets", DropAfterHandling: true, Times: 1}, ""},
		{"slow create answer", dosim.Fault{Method: "POST", Path: "/v2/droplets", Delay: time.Second, Times: 1}, "safe to retry"},
	}
	cases = append(cases, apiFaults("GET", "/v2/droplets/")[:6]...)
	runFaults(t, cases, nil, func(te *testEnv) error {
		err := Create(context.Background(), te.Env, Overrides{}, false)
		if n := len(te.Sim.Droplets()); n > 1 {
			t.Errorf("%d droplets after one create", n)
		}
		return err
	})
}
