package app

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/images"
	"github.com/Gleipnir-Technology/nixos-systems/internal/plan"
)

// faultEnv is a test env whose client times out fast, so slow answers are
// cheap to test; it waits up to 1s, the shortest Retry-After DigitalOcean sends.
func faultEnv(t *testing.T, opts dosim.Options) *testEnv {
	te := newTestEnv(t, opts)
	useFaultClient(t, te)
	return te
}

func useFaultClient(t *testing.T, te *testEnv) {
	t.Helper()
	c, err := doapi.New(dosim.DefaultToken, doapi.Options{BaseURL: te.URL, MinWait: time.Millisecond, MaxWait: time.Second, RequestTimeout: 300 * time.Millisecond, Log: te.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	te.Client = c
}

// faults are what the simulator can do to one request: each passes, and
// what a target does about it depends on whether the request may be sent
// again (see requestKind).
var faults = []struct {
	name  string
	fault dosim.Fault
}{
	{"429 with Retry-After", dosim.Fault{Status: 429, RetryAfter: time.Millisecond}},
	{"500", dosim.Fault{Status: 500}},
	{"503", dosim.Fault{Status: 503}},
	{"slow answer", dosim.Fault{Delay: time.Second}},
	{"dropped connection", dosim.Fault{Drop: true}},
	{"lost answer", dosim.Fault{DropAfterHandling: true}},
}

// scenario is a target run, with what the account must look like after it.
type scenario struct {
	// start makes the account the run begins with, and the run.
	start func(t *testing.T) (*testEnv, func() error)
	done  func(t *testing.T, te *testEnv) // the end state once the run succeeded
	none  func(t *testing.T, te *testEnv) // the end state when it refused to go on: nothing made
}

// requestKind is one kind of request the tool sends: the first request of
// its scenario's run that the fault's Method and Path (a prefix) match.
type requestKind struct {
	method, path string
	query        string // the first matching request's query, to be sure of the kind
	scenario     *scenario
	// refused is, for a request that makes something (a droplet, an image)
	// and so is never sent again blindly, the error after a fault that
	// leaves unknown whether it took effect; the run after it must finish
	// the job. "" = the request is safe to repeat and every fault is
	// recovered from.
	refused string
}

// TestEveryRequestUnderEveryFault runs, for each kind of request the tool
// sends and each fault the simulator injects into it, the target that sends
// it through godo's real client against the simulator, and checks the
// account afterwards: requests safe to repeat are repeated until the target
// succeeds; a create is repeated only after a 429, found rather than made
// again when its answer was lost, and otherwise reported as not made, and
// then the next run finishes the job.
func TestEveryRequestUnderEveryFault(t *testing.T) {
	ctx := context.Background()
	host := newStaticHost(t) // shared: every upload publishes the same file
	imageFile := gzipImage(t, "nixos-image-digital-ocean-25.11.20250101.abcdef0-x86_64-linux.qcow2.gz")
	upload := func(te *testEnv) error {
		te.Settings.PublishDest, te.Settings.PublicURL = host.Dest, host.URL
		return UploadImage(ctx, te.Env, UploadOptions{File: imageFile, SSH: host.SSH})
	}
	mustUpload := func(t *testing.T, te *testEnv) {
		if err := upload(te); err != nil {
			t.Fatal(err)
		}
	}
	imageCount := func(t *testing.T, te *testEnv, want int) {
		t.Helper()
		imgs, err := images.List(ctx, te.Client.Images)
		if err != nil || len(imgs) != want || want == 1 && imgs[0].Status != "available" {
			t.Errorf("images %+v (%v), want %d available", imgs, err, want)
		}
	}
	imageID := func(t *testing.T, te *testEnv) string {
		imgs, err := images.List(ctx, te.Client.Images)
		if err != nil || len(imgs) != 1 {
			t.Fatalf("images %+v (%v), want 1", imgs, err)
		}
		return strconv.Itoa(imgs[0].ID)
	}
	mustCreate := func(t *testing.T, te *testEnv) {
		if err := Create(ctx, te.Env, Overrides{}, false); err != nil {
			t.Fatal(err)
		}
	}
	converged := func(t *testing.T, te *testEnv) {
		t.Helper()
		ds := te.Sim.Droplets()
		if len(ds) != 1 {
			t.Fatalf("%d droplets, want 1", len(ds))
		}
		assertConverged(t, te, ds[0].ID)
	}
	noDroplet := func(t *testing.T, te *testEnv) {
		t.Helper()
		if ds := te.Sim.Droplets(); len(ds) != 0 {
			t.Errorf("%d droplets, want none", len(ds))
		}
	}

	// target is a run of target on an account made by setup (nil: nothing)
	// in env (nil: faultEnv with fastSim).
	target := func(env func(*testing.T) *testEnv, setup func(*testing.T, *testEnv), run func(*testEnv) error) func(*testing.T) (*testEnv, func() error) {
		return func(t *testing.T) (*testEnv, func() error) {
			var te *testEnv
			if env != nil {
				te = env(t)
			} else {
				te = faultEnv(t, fastSim)
			}
			if setup != nil {
				setup(t, te)
			}
			return te, func() error { return run(te) }
		}
	}
	createRun := func(te *testEnv) error { return Create(ctx, te.Env, Overrides{}, false) }
	create := &scenario{start: target(nil, nil, createRun), done: converged, none: noDroplet}
	// SSH answering late makes sure the wait reads the create action.
	slowSSH := func(t *testing.T) *testEnv {
		o := fastSim
		o.SSHDelay = 2 * time.Second
		return faultEnv(t, o)
	}
	createSlowSSH := &scenario{start: target(slowSSH, nil, createRun), done: converged}
	createAnyKey := &scenario{
		start: target(nil, func(_ *testing.T, te *testEnv) { te.Settings.SSHKeys = nil }, createRun),
		done:  converged,
	}
	rerun := &scenario{
		start: target(nil, func(t *testing.T, te *testEnv) { handMade(t, te, te.Settings.Region) }, createRun),
		done:  converged,
	}
	list := &scenario{
		start: target(nil, mustCreate, func(te *testEnv) error { return List(ctx, te.Env, false) }),
		done: func(t *testing.T, te *testEnv) {
			if !strings.Contains(te.Stdout.String(), "Total: 1 droplet(s)") {
				t.Errorf("stdout:\n%s", te.Stdout)
			}
		},
	}
	destroy := &scenario{
		start: target(nil, mustCreate, func(te *testEnv) error { return Destroy(ctx, te.Env, te.Settings.Name, true, false) }),
		done:  noDroplet,
	}
	anywhereByIP := &scenario{
		start: func(t *testing.T) (*testEnv, func() error) {
			a := newAnywhereSetup(t)
			useFaultClient(t, a.testEnv)
			return a.testEnv, func() error {
				return Anywhere(ctx, a.Env, a.ip, AnywhereOptions{DryRun: true, Runner: neverRun{t}, Files: a.files, Host: repoHostFiles()})
			}
		},
		done: func(t *testing.T, te *testEnv) {
			if !strings.Contains(te.Stdout.String(), "nixos-anywhere command (not run: -dryrun)") {
				t.Errorf("stdout:\n%s", te.Stdout)
			}
		},
	}
	imageEnv := func(t *testing.T) *testEnv { return faultEnv(t, imageSim) }
	uploadImage := &scenario{
		start: target(imageEnv, nil, upload),
		done:  func(t *testing.T, te *testEnv) { imageCount(t, te, 1) },
		none:  func(t *testing.T, te *testEnv) { imageCount(t, te, 0) },
	}
	deleteImage := &scenario{
		start: func(t *testing.T) (*testEnv, func() error) {
			te := imageEnv(t)
			mustUpload(t, te)
			id := imageID(t, te)
			return te, func() error { return DeleteImage(ctx, te.Env, id, true, false) }
		},
		done: func(t *testing.T, te *testEnv) { imageCount(t, te, 0) },
	}

	// up on a 1 GB droplet `create` made: the detour's droplet actions,
	// their waits, and the tag that records the way back.
	upDetour := &scenario{
		start: func(t *testing.T) (*testEnv, func() error) {
			u := newUpSetup(t, detourSim)
			useFaultClient(t, u.testEnv)
			u.create(t, "cheap1", "s-1vcpu-1gb")
			o := u.detourOptions()
			return u.testEnv, func() error { return Up(ctx, u.Env, "cheap1", o) }
		},
		done: func(t *testing.T, te *testEnv) {
			t.Helper()
			ds := te.Sim.Droplets()
			if len(ds) != 1 {
				t.Fatalf("%d droplets, want 1", len(ds))
			}
			d := ds[0]
			if d.SizeSlug != "s-1vcpu-1gb" || d.Status != "active" || plan.ReturnSize(d.Tags) != "" {
				t.Errorf("droplet ends %s %s with tags %v", d.SizeSlug, d.Status, d.Tags)
			}
			all, _, err := te.Client.Droplets.Actions(ctx, d.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			var did []string
			for _, a := range all {
				if a.Type != "create" {
					did = append(did, a.Type+" "+a.Status)
				}
			}
			want := []string{"shutdown completed", "resize completed", "power_on completed", "shutdown completed", "resize completed", "power_on completed"}
			if !slices.Equal(did, want) {
				t.Errorf("the droplet's actions %v, want %v", did, want)
			}
			if hs, err := hosts.Load(te.HostsDir); err != nil || len(hs) != 1 {
				t.Errorf("host entries %+v (%v), want the droplet's", hs, err)
			}
		},
	}
	returnTag := "/v2/tags/nixos-up:return-to:s-1vcpu-1gb/resources"

	project := "/v2/projects/" + dosim.SeedProjectID
	kinds := []requestKind{
		{method: "GET", path: "/v2/regions", query: "page=1&per_page=200", scenario: create},
		{method: "GET", path: "/v2/sizes", query: "page=1&per_page=200", scenario: create},
		{method: "GET", path: "/v2/images/debian-12-x64", scenario: create},
		{method: "GET", path: "/v2/account/keys/", scenario: create},
		{method: "GET", path: "/v2/account/keys", query: "page=1&per_page=200", scenario: createAnyKey},
		{method: "GET", path: project, scenario: create},
		{method: "GET", path: "/v2/droplets", query: "name=nixos-1&page=1&per_page=200", scenario: create},
		{method: "POST", path: "/v2/droplets", scenario: create, refused: "no droplet was made, so it is safe to retry"},
		{method: "POST", path: project + "/resources", scenario: create},
		{method: "GET", path: "/v2/droplets/", scenario: create},
		{method: "GET", path: "/v2/actions/", scenario: createSlowSSH},
		{method: "GET", path: project + "/resources", query: "page=1&per_page=200", scenario: rerun},
		{method: "POST", path: "/v2/tags", scenario: rerun},
		{method: "POST", path: "/v2/tags/nixos/resources", scenario: rerun},
		{method: "GET", path: "/v2/droplets", query: "page=1&per_page=200&tag_name=nixos-systems", scenario: list},
		{method: "DELETE", path: "/v2/droplets/", scenario: destroy},
		{method: "GET", path: "/v2/droplets", query: "page=1&per_page=200", scenario: anywhereByIP},
		{method: "GET", path: "/v2/images", query: "page=1&per_page=200&private=true", scenario: uploadImage},
		{method: "POST", path: "/v2/images", scenario: uploadImage, refused: "import image nixos-image-digital-ocean-25.11.20250101.abcdef0-x86_64-linux"},
		{method: "GET", path: "/v2/images/", scenario: uploadImage},
		{method: "DELETE", path: "/v2/images/", scenario: deleteImage},
		{method: "GET", path: "/v2/droplets/{id}/actions", query: "page=1&per_page=200", scenario: upDetour},
		{method: "POST", path: returnTag, scenario: upDetour},
		{method: "POST", path: "/v2/droplets/{id}/actions", scenario: upDetour},
		{method: "GET", path: "/v2/droplets/{id}/actions/", scenario: upDetour},
		{method: "DELETE", path: returnTag, scenario: upDetour},
	}
	// The cases mostly wait (on Retry-After, timeouts, simulated boots), so
	// they run many at once, more than -parallel's default of one per core.
	var wg sync.WaitGroup
	slots := make(chan struct{}, 16)
	defer wg.Wait()
	for _, k := range kinds {
		for _, f := range faults {
			wg.Add(1)
			slots <- struct{}{}
			go func() {
				defer func() { <-slots; wg.Done() }()
				t.Run(k.method+" "+k.path+"?"+k.query+"/"+f.name, func(t *testing.T) {
					sc := k.scenario
					te, run := sc.start(t)
					te.Stdout.Reset()
					fault := f.fault
					fault.Method, fault.Path, fault.Times = k.method, k.path, 1
					if strings.Contains(k.path, "{id}") {
						// A path of the droplet the scenario begins with.
						fault.Path = strings.ReplaceAll(k.path, "{id}", strconv.Itoa(te.Sim.Droplets()[0].ID))
					}
					te.Sim.AddFault(fault)
					sent := len(te.Sim.Requests())

					err := run()

					hit := firstHit(te.Sim.Requests()[sent:], fault)
					switch {
					case hit == nil:
						t.Fatalf("the fault never fired: no %s %s answered %d", fault.Method, fault.Path, fault.Status)
					case hit.RawQuery != k.query:
						t.Fatalf("the fault hit %s %s?%s, not the request meant", hit.Method, hit.Path, hit.RawQuery)
					}
					if err != nil && strings.Contains(err.Error(), "\n") {
						t.Errorf("error is not one line: %q", err)
					}
					refuse := k.refused != "" && f.fault.Status != 429 && !f.fault.DropAfterHandling
					if !refuse {
						if err != nil {
							t.Fatalf("did not recover: %v\nstderr:\n%s", err, te.Stderr)
						}
						sc.done(t, te)
						if k.refused != "" && f.fault.DropAfterHandling && te.requests(k.method, fault.Path) != 1 {
							t.Errorf("%d %s %s after a lost answer, want 1: it is never resent blindly", te.requests(k.method, fault.Path), k.method, fault.Path)
						}
						return
					}
					if err == nil || !strings.Contains(err.Error(), k.refused) {
						t.Fatalf("err = %v, want %q", err, k.refused)
					}
					sc.none(t, te)
					if err := run(); err != nil {
						t.Fatalf("the run after the refusal: %v\nstderr:\n%s", err, te.Stderr)
					}
					sc.done(t, te)
				})
			}()
		}
	}
}

// firstHit is the first of reqs the fault f hit: matching it, answered with
// its status (0: no answer, for drops and delays).
func firstHit(reqs []dosim.Request, f dosim.Fault) *dosim.Request {
	i := slices.IndexFunc(reqs, func(r dosim.Request) bool {
		return r.Method == f.Method && strings.HasPrefix(r.Path, f.Path) && r.Status == f.Status
	})
	if i < 0 {
		return nil
	}
	return &reqs[i]
}

// A fault that does not pass ends the target with a one-line error saying
// what happened.
func TestLastingFaults(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault dosim.Fault
		want  string
	}{
		{"503 for good", dosim.Fault{Method: "GET", Path: "/v2/sizes", Status: 503}, "DigitalOcean is failing"},
		{"429 beyond the wait limit", dosim.Fault{Method: "GET", Path: "/v2/droplets", Status: 429, RetryAfter: time.Hour}, "rate limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			te := faultEnv(t, fastSim)
			te.Sim.AddFault(tc.fault)
			err := Sizes(context.Background(), te.Env, "", false)
			if tc.fault.Path == "/v2/droplets" {
				err = List(context.Background(), te.Env, false)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %v, want one line with %q", err, tc.want)
			}
		})
	}
}
