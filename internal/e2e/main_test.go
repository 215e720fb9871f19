package e2e

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
	"github.com/Gleipnir-Technology/nixos-systems/internal/settings/settingstest"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// runTimeout bounds one target run, so a target that hangs fails its test
// instead of the whole package's deadline.
const runTimeout = 30 * time.Second

var (
	repoRoot string // where users run mage: settings, keys and templates are found relative to it
	mageBin  string // the magefiles, compiled once by TestMain

	// token is the account's API token, which no target may print. Its
	// shape is a real one's, so a filter that only hides "dosim-token"
	// would not pass.
	token = newToken()
	// wrongToken is a revoked token: printing it leaks as much.
	wrongToken = newToken()
	// leaks maps every form in which output could carry a token to a
	// description of that form.
	leaks = leakForms(token, wrongToken)
)

func TestMain(m *testing.M) {
	os.Exit(compileAndRun(m))
}

// compileAndRun compiles the magefiles as `mage` itself would before
// running a target, so the tests run exactly what users run.
func compileAndRun(m *testing.M) int {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	repoRoot = root
	dir, err := os.MkdirTemp("", "e2e-mage-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	mageBin = filepath.Join(dir, "mage-bin")
	cmd := exec.Command("go", "tool", "mage", "-compile", mageBin)
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "compile the magefiles with `go tool mage -compile`: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails since Go 1.24
	return "dop_v1_" + hex.EncodeToString(b)
}

// leakForms lists what a printed token can look like: itself, URL-escaped,
// any 16 characters of its random part (a token cut short still leaks), and
// base64 in both alphabets at all three alignments, since a token inside an
// encoded header shifts by the bytes before it. For the base64 forms only
// the characters that depend on the token's bytes alone are kept.
func leakForms(tokens ...string) map[string]string {
	forms := map[string]string{}
	for _, tok := range tokens {
		forms[tok] = "verbatim"
		forms[url.QueryEscape(tok)] = "URL-escaped"
		random := strings.TrimPrefix(tok, "dop_v1_")
		for i := 0; i+16 <= len(random); i++ {
			forms[random[i:i+16]] = fmt.Sprintf("characters %d-%d of its secret part", i+1, i+16)
		}
		for k := range 3 {
			data := append(make([]byte, k), tok...)
			start, end := 0, len(data)/3*4
			if k > 0 {
				start = 4
			}
			for name, enc := range map[string]*base64.Encoding{"base64": base64.StdEncoding, "base64url": base64.URLEncoding} {
				forms[enc.EncodeToString(data)[start:end]] = fmt.Sprintf("%s, %d bytes after a boundary", name, k)
			}
		}
	}
	return forms
}

// panicMarkers betray a panic: the runtime's report of an unrecovered one,
// and "runtime error:", which is what mage prints as the error when it
// recovers a panic in the target's own goroutine.
var panicMarkers = []string{"panic:", "goroutine ", "runtime error:"}

// goDuration is a duration as time.Duration.String writes it with a zero
// part (1h0m0s, 30m0s), where everything shown to the operator writes it as
// `mage -h` does and as a flag takes it (1h, 30m: cmdline.Format).
var goDuration = regexp.MustCompile(`\b[0-9]+(h[0-9]+)?m0s\b`)

// checkOutput fails the test if a run printed a token, panicked or wrote a
// duration as Go does. Every run in this package goes through it.
func checkOutput(t *testing.T, r result) {
	t.Helper()
	for _, s := range []struct{ name, text string }{{"stdout", r.stdout}, {"stderr", r.stderr}} {
		if d := goDuration.FindString(s.text); d != "" {
			t.Errorf("%s wrote the duration %q on %s, not as `mage -h` writes durations:\n%s", r, d, s.name, s.text)
		}
		for form, desc := range leaks {
			if i := strings.Index(s.text, form); i >= 0 {
				// The output itself is not logged: it holds the token.
				t.Errorf("%s printed a DigitalOcean token (%s) on %s at byte %d", r, desc, s.name, i)
				break
			}
		}
		for _, m := range panicMarkers {
			if strings.Contains(s.text, m) {
				t.Errorf("%s panicked (%q on %s):\n%s", r, m, s.name, s.text)
			}
		}
	}
}

// shell is one user's terminal: a working directory and the whole
// environment of the targets run from it. Nothing of the test process's own
// environment leaks in but PATH, and HOME is empty, so no real ~/.ssh or
// doctl config is read. The working directory is a workdir with no key in
// authorized_keys, not the repository, whose settings, keys and hosts are
// the operator's to edit.
type shell struct {
	dir string
	env map[string]string
	// nixStubbed says that the nix first on PATH is sshtest.StubNix's,
	// which runs nothing: only then may anywhere run without -dryrun.
	nixStubbed bool
}

func newShell(t *testing.T) *shell {
	return &shell{dir: workdir(t, nil), env: map[string]string{"HOME": t.TempDir(), "PATH": os.Getenv("PATH")}}
}

// set sets environment variables, given as name, value pairs.
func (sh *shell) set(kv ...string) {
	for i := 0; i+1 < len(kv); i += 2 {
		sh.env[kv[i]] = kv[i+1]
	}
}

// stubNix puts sshtest.StubNix's nix, as new as version says, first on
// the shell's PATH, and returns the file of its calls.
func (sh *shell) stubNix(t *testing.T, version string) string {
	dir, calls := sshtest.StubNix(t, version)
	sh.set("PATH", dir+string(os.PathListSeparator)+sh.env["PATH"])
	sh.nixStubbed = true
	return calls
}

func (sh *shell) unset(names ...string) {
	for _, n := range names {
		delete(sh.env, n)
	}
}

// result is how one run of a target ended.
type result struct {
	args           []string
	code           int
	stdout, stderr string
}

func (r result) String() string { return "`mage " + strings.Join(r.args, " ") + "`" }

// process is a target still running.
type process struct {
	cmd            *exec.Cmd
	args           []string
	cancel         context.CancelFunc
	stdout, stderr syncBuffer
}

// start runs the compiled magefile with args, without a terminal or stdin.
func (sh *shell) start(t *testing.T, args ...string) *process {
	t.Helper()
	if len(args) > 1 && args[0] == "anywhere" && !dryRun(args) && !sh.nixStubbed {
		// The SSH targets here are this machine's own sshd, and this
		// machine may well have a /dev/vda: the target refuses this
		// machine (anywhere.CheckTarget), and should that ever fail, a
		// preflight that passed would let nixos-anywhere wipe it, unless
		// the nix it runs is a stub. (Without a host it cannot reach a
		// machine.)
		t.Fatalf("refusing to run mage %s without -dryrun or a stub nix", strings.Join(args, " "))
	}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	p := &process{args: args, cancel: cancel}
	p.cmd = exec.CommandContext(ctx, mageBin, args...)
	p.cmd.Dir = sh.dir
	for k, v := range sh.env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	// rsync and ssh may outlive a killed target holding its output open.
	p.cmd.WaitDelay = time.Second
	if err := p.cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start mage %s: %v", strings.Join(args, " "), err)
	}
	t.Cleanup(func() {
		cancel()
		_ = p.cmd.Wait() // reaps a process a failed test left running; the error is that test's business
	})
	return p
}

// dryRun reports whether mage, given args, would not run the install: the
// last -dryrun (mage takes the last) is bare, true, or a value mage refuses.
func dryRun(args []string) bool {
	dry := false
	for _, a := range args {
		name, v, valued := strings.Cut(strings.ToLower(a), "=")
		if name == "-dryrun" {
			b, err := strconv.ParseBool(v)
			dry = !valued || err != nil || b
		}
	}
	return dry
}

// wait waits for the target to end and checks its output.
func (p *process) wait(t *testing.T) result {
	t.Helper()
	err := p.cmd.Wait()
	p.cancel()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("mage %s: %v\nstderr:\n%s", strings.Join(p.args, " "), err, p.stderr.String())
	}
	r := result{args: p.args, code: p.cmd.ProcessState.ExitCode(), stdout: p.stdout.String(), stderr: p.stderr.String()}
	if r.code == -1 {
		t.Errorf("%s was killed: it ran past %s, or a signal ended it\nstderr:\n%s", r, runTimeout, r.stderr)
	}
	checkOutput(t, r)
	return r
}

// run runs a target to its end.
func (sh *shell) run(t *testing.T, args ...string) result {
	t.Helper()
	return sh.start(t, args...).wait(t)
}

// syncBuffer is a bytes.Buffer a test may read while a process writes it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// mustSucceed fails the test unless r exited 0.
func mustSucceed(t *testing.T, r result) {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("%s exited %d, want 0\nstdout:\n%s\nstderr:\n%s", r, r.code, r.stdout, r.stderr)
	}
}

// mustFail fails the test unless r exited non-zero with an error line
// containing each of want.
func mustFail(t *testing.T, r result, want ...string) {
	t.Helper()
	if r.code == 0 {
		t.Fatalf("%s exited 0, want a failure\nstdout:\n%s\nstderr:\n%s", r, r.stdout, r.stderr)
	}
	line := errorLine(t, r)
	for _, w := range want {
		if !strings.Contains(line, w) {
			t.Errorf("%s: error %q does not contain %q", r, line, w)
		}
	}
}

// errorLine returns the `Error: ` line mage prints for a failed target,
// failing the test unless there is exactly one and nothing follows it: an
// error with a newline in it leaves its continuation after that line.
func errorLine(t *testing.T, r result) string {
	t.Helper()
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	var found []string
	for _, l := range lines {
		if strings.HasPrefix(l, "Error: ") {
			found = append(found, l)
		}
	}
	if len(found) != 1 {
		t.Errorf("%s: want one `Error: ` line on stderr, got %d:\n%s", r, len(found), r.stderr)
		return lines[len(lines)-1]
	}
	if last := lines[len(lines)-1]; last != found[0] {
		t.Errorf("%s: the error is not one line; after %q stderr goes on to %q", r, found[0], last)
	}
	return found[0]
}

// fakeDO is a simulated DigitalOcean account that accepts token only.
type fakeDO struct {
	*dosim.Server
	URL     string
	SSHPort int
	// keyFile is the operator's private key, the account's key that the
	// settings name (dosim.SeedKeyID); "" when the test chose that key.
	keyFile string
}

// startSim serves a simulator for the test. When the test ends it checks
// that no request carried the token anywhere but in its Authorization
// header, such as in user data or a query.
func startSim(t *testing.T, o dosim.Options) *fakeDO {
	t.Helper()
	o.Token = token
	if o.SSHPort == 0 {
		// Simulators of parallel tests hand out the same droplet addresses,
		// so each needs its own SSH port.
		o.SSHPort = freePort(t)
	}
	var keyFile string
	if o.SeedKey == "" {
		keyFile = filepath.Join(t.TempDir(), "id_ed25519")
		sshtest.NewKeyFile(t, keyFile)
		o.SeedKey = sshtest.AuthorizedKey(t, keyFile)
	}
	sim := dosim.New(o)
	srv := httptest.NewServer(sim)
	t.Cleanup(func() {
		srv.Close()
		sim.Close()
		for _, r := range sim.Requests() {
			for form, desc := range leaks {
				if bytes.Contains(r.Body, []byte(form)) || strings.Contains(r.RawQuery, form) {
					t.Errorf("%s %s sent a token (%s) to DigitalOcean in its body or query", r.Method, r.Path, desc)
					break
				}
			}
		}
	})
	return &fakeDO{Server: sim, URL: srv.URL, SSHPort: o.SSHPort, keyFile: keyFile}
}

// shell is a user whose environment points every target at f with the
// account's token, and who holds the account's key the settings name, at
// ~/.ssh/id_ed25519, as someone who followed the README.
func (f *fakeDO) shell(t *testing.T) *shell {
	sh := newShell(t)
	sh.set("DIGITALOCEAN_API_URL", f.URL, "DIGITALOCEAN_ACCESS_TOKEN", token, "DROPLET_SSH_PORT", strconv.Itoa(f.SSHPort))
	if f.keyFile != "" {
		key, err := os.ReadFile(f.keyFile)
		if err != nil {
			t.Fatal(err)
		}
		sshtest.WriteFile(t, sh.loginKey(), string(key))
		if err := os.Chmod(sh.loginKey(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return sh
}

// loginKey is where the shell's user keeps their key.
func (sh *shell) loginKey() string { return filepath.Join(sh.env["HOME"], ".ssh", "id_ed25519") }

// changesSince lists the requests after the first n that may have changed
// the account: everything but reads.
func (f *fakeDO) changesSince(n int) []string {
	var out []string
	for _, r := range f.Requests()[n:] {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			out = append(out, fmt.Sprintf("%s %s (answered %d)", r.Method, r.Path, r.Status))
		}
	}
	return out
}

// count returns how many requests had method and path.
func (f *fakeDO) count(method, path string) int {
	n := 0
	for _, r := range f.Requests() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// dropletNames lists the droplets the account has.
func (f *fakeDO) dropletNames() []string {
	var names []string
	for _, d := range f.Droplets() {
		names = append(names, d.Name)
	}
	return names
}

// sizeNotOfferedIn finds a size of the simulator's catalogue that exists
// and is available, but not in region, reading it through the API as a
// client would rather than copying the catalogue into the test.
func sizeNotOfferedIn(t *testing.T, region string) string {
	t.Helper()
	f := startSim(t, dosim.Options{})
	c, err := doapi.New(token, doapi.Options{BaseURL: f.URL})
	if err != nil {
		t.Fatal(err)
	}
	sizes, err := doapi.ListAll(context.Background(), c.Sizes.List)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sizes {
		if s.Available && len(s.Regions) > 0 && !slices.Contains(s.Regions, region) {
			return s.Slug
		}
	}
	t.Fatalf("the simulator offers every available size in %s", region)
	return ""
}

func freePort(t *testing.T) int { return sshtest.FreePort(t, "127.0.0.1") }

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t)))
}

// workdir is where a target runs: a directory laid out as the repository
// with the settings tests run with (settingstest.Content), authorized_keys
// holding keys (none when nil) and the repository's templates. The compiled
// target reads these files relative to its working directory, as it does in
// the repository. The repository's own settings.env, authorized_keys and
// hosts/ are never read: operators are told to edit them.
func workdir(t *testing.T, keys []string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "digitalocean"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "digitalocean", "settings.env"), settingstest.Content)
	for _, name := range []string{"infect-nixos.yaml", "infect-import.nix"} {
		data, err := os.ReadFile(filepath.Join(repoRoot, "digitalocean", name))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "digitalocean", name), string(data))
	}
	writeFile(t, filepath.Join(dir, "digitalocean", "authorized_keys"), "# root's keys\n"+strings.Join(keys, "\n")+"\n")
	return dir
}

// operator makes the shell's user one who followed the README before an
// install: a key at ~/.ssh/id_ed25519, as ssh-keygen makes it (the one
// the shell has already, if any: the account's), and its public half in
// the authorized_keys of a new workdir the shell runs in. It returns that
// line.
func (sh *shell) operator(t *testing.T) string {
	t.Helper()
	key := sh.loginKey()
	if _, err := os.Stat(key); err != nil {
		sshtest.NewKeyFile(t, key)
	}
	line := sshtest.AuthorizedKey(t, key)
	sh.dir = workdir(t, []string{line})
	return line
}

// publicKeys returns n new OpenSSH public key lines.
func publicKeys(t *testing.T, n int) []string {
	t.Helper()
	keys := make([]string, n)
	for i := range keys {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		k, err := ssh.NewPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		keys[i] = strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))) + fmt.Sprintf(" operator%d@e2e", i)
	}
	return keys
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
