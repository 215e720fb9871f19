package app

import (
	"bytes"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/anywhere"
	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/poll"
	"github.com/Gleipnir-Technology/nixos-systems/internal/settings"
	"github.com/Gleipnir-Technology/nixos-systems/internal/settings/settingstest"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// testEnv is an Env wired to a fresh simulator, with captured output.
type testEnv struct {
	*Env
	Sim    *dosim.Server
	URL    string
	Stdout *bytes.Buffer
	Stderr *bytes.Buffer
}

// fastSim keeps simulated boots short enough for unit tests.
var fastSim = dosim.Options{BootTime: 150 * time.Millisecond, NetworkDelay: 50 * time.Millisecond, SSHDelay: 50 * time.Millisecond}

// newTestEnv starts a simulator with opts (SSHPort filled in when zero) and
// returns an Env that talks to it with the settings tests run with
// (settingstest: an operator's edits to the committed file change no test).
func newTestEnv(t testing.TB, opts dosim.Options) *testEnv {
	t.Helper()
	if opts.SSHPort == 0 {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		opts.SSHPort = port
	}
	// The operator's key, on the account as the key the settings name
	// (DROPLET_SSH_KEYS=dosim.SeedKeyID), so that the droplets made here
	// let it in.
	var identity string
	if opts.SeedKey == "" {
		identity = filepath.Join(t.TempDir(), "id_ed25519")
		sshtest.NewKeyFile(t, identity)
		opts.SeedKey = sshtest.AuthorizedKey(t, identity)
	}
	sim := dosim.New(opts)
	t.Cleanup(sim.Close)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	token := opts.Token
	if token == "" {
		token = dosim.DefaultToken
	}
	var stdout, stderr bytes.Buffer
	c, err := doapi.New(token, doapi.Options{BaseURL: srv.URL, MinWait: time.Millisecond, MaxWait: 50 * time.Millisecond, RequestTimeout: 2 * time.Second, Log: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	s, err := settings.Load(settingstest.File(t), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	s.SSHPort = opts.SSHPort
	if identity != "" {
		s.SSHIdentity = identity
	}
	e := &Env{
		Settings: s, Client: c, Out: &stdout, Err: &stderr, In: bytes.NewReader(nil),
		Now: time.Now,
		Wait: droplets.WaitOptions{
			Pace:    poll.Pace{Timeout: 5 * time.Second, FirstPoll: 10 * time.Millisecond, MaxPoll: 50 * time.Millisecond, Log: &stderr},
			SSHPort: opts.SSHPort, Watch: 50 * time.Millisecond, SSHProbe: 10 * time.Millisecond,
		},
		// Host entries that routes write stay out of the repository.
		HostsDir: filepath.Join(t.TempDir(), "hosts"),
	}
	return &testEnv{Env: e, Sim: sim, URL: srv.URL, Stdout: &stdout, Stderr: &stderr}
}

// mutations counts the requests that could have changed the account.
func (te *testEnv) mutations() int {
	n := 0
	for _, r := range te.Sim.Requests() {
		if r.Method != "GET" && r.Method != "HEAD" {
			n++
		}
	}
	return n
}

// newSSHEnv is newTestEnv whose droplets' SSH leads to a real sshd on this
// machine, which logs in whoever runs the test with its client key.
func newSSHEnv(t testing.TB, opts dosim.Options) (*testEnv, *sshtest.Server) {
	t.Helper()
	s := sshtest.Start(t)
	opts.SSHBackend = s.Addr
	opts.SeedKey = sshtest.AuthorizedKey(t, s.ClientKeyFile)
	te := newTestEnv(t, opts)
	te.Settings.SSHUser = s.User
	te.Settings.SSHIdentity = s.ClientKeyFile
	te.Settings.KnownHosts = filepath.Join(t.TempDir(), "known_hosts")
	return te, s
}

// anywhereFiles are what the anywhere route reads, as files in a temporary
// directory: an x86_64 Debian droplet of 2 GB with a /dev/vda, and
// authorized keys holding s's client key.
func anywhereFiles(t testing.TB, s *sshtest.Server) anywhere.Files {
	t.Helper()
	dir := t.TempDir()
	files := anywhere.Files{
		AuthorizedKeys: filepath.Join(dir, "authorized_keys"),
		Device:         filepath.Join(dir, "vda"),
		OSRelease:      filepath.Join(dir, "os-release"),
		Uname:          sshtest.Uname(t, "x86_64"),
		MemInfo:        sshtest.MemInfo(t, 2014228),
		ToolPath:       sshtest.ToolPath(t, "tar", "cpio", "gzip", "setsid"),
		Units:          filepath.Join(dir, "units"),
	}
	sshtest.WriteFile(t, files.AuthorizedKeys, sshtest.AuthorizedKey(t, s.ClientKeyFile)+"\n")
	sshtest.WriteFile(t, files.Units, bootedUnits)
	sshtest.WriteFile(t, files.Device, "")
	sshtest.WriteFile(t, files.OSRelease, debianRelease)
	return files
}
