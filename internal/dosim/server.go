package dosim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/digitalocean/godo"
)

// DefaultToken is the bearer token accepted when Options.Token is empty.
const DefaultToken = "dosim-token"

// maxBody bounds what a request may send; user_data, the largest field, is
// itself capped at 64 KiB.
const maxBody = 1 << 20

// Options shapes the simulated account and its timing. The zero value is an
// account whose droplets are active as soon as they are read back, on the
// wall clock.
type Options struct {
	Token        string        // bearer token accepted; "" = DefaultToken
	Clock        Clock         // source of time for every duration below and Fault.Delay; nil = the wall clock
	BootTime     time.Duration // droplet status new→active; its create action in-progress→completed
	NetworkDelay time.Duration // after create, until the droplet's networks are filled in (status still "new")
	SSHDelay     time.Duration // after active, until the droplet's SSH endpoint starts answering
	SSHPort      int           // port of each droplet's SSH endpoint on its public IPv4; 0 = no endpoint
	SSHBackend   string        // "host:port" of a real sshd the endpoint forwards to; "" = answer with an SSH banner only
	ActionTime   time.Duration // droplet actions (power_off, shutdown, power_on, resize): in-progress→completed
	ImportTime   time.Duration // custom image status NEW→pending→available (or deleted, see ImportError)
	ImportError  string        // non-empty: every image import fails: status "deleted" with this error_message
	NeverActive  bool          // droplets stay "new" forever and their create actions stay "in-progress"
	ActionsError bool          // create actions end "errored" after BootTime and droplets never become active (droplet actions: AddActionFault)
	RateLimit    int           // requests per token per sliding hour before 429; 0 = 5000
	BurstLimit   int           // requests per token per sliding minute before 429; 0 = no burst limit (DigitalOcean's is 250)
	// SeedKey is the public key, as an authorized_keys line, of the account
	// key SeedKeyID, which settings from the seed name (DROPLET_SSH_KEYS);
	// "" = alice@workstation's, whose private half was discarded. A test's
	// key, or the operator's, here lets its holder log in to the droplets
	// made with those settings.
	SeedKey string

	// Logf receives what the simulator cannot report through the API, such
	// as an SSH endpoint that failed to listen. nil discards it.
	Logf func(format string, args ...any)
}

// Request is one request the simulator received.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	Body     []byte
	Status   int // status answered; 0 when no answer went out (dropped, or the client gave up)
}

// Server is a simulated DigitalOcean API. It is an http.Handler; all its
// methods are safe for concurrent use.
type Server struct {
	opts Options
	mux  *http.ServeMux

	mu           sync.Mutex
	closed       bool
	requests     []Request
	faults       []*activeFault
	actionFaults []*activeActionFault
	hits         map[string][]time.Time // request times per presented token, for rate limiting
	droplets     map[int]*droplet
	actions      map[int]*action
	images       map[int]*customImage
	keys         []keyJSON
	projects     []projectJSON
	tags         map[string]bool // created with POST /v2/tags; those on droplets exist too
	nextID       map[string]int  // last id handed out per kind of resource
	addrs        addressPool

	sshWG sync.WaitGroup // SSH timers, accept loops and connections
}

// New returns a simulator with two projects (the default and the seed's) and two SSH keys.
func New(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if opts.RateLimit == 0 {
		opts.RateLimit = 5000
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	if opts.Clock == nil {
		opts.Clock = wallClock{}
	}
	s := &Server{
		opts:     opts,
		mux:      http.NewServeMux(),
		hits:     map[string][]time.Time{},
		droplets: map[int]*droplet{},
		actions:  map[int]*action{},
		images:   map[int]*customImage{},
		keys:     preloadedKeys(opts.SeedKey),
		projects: preloadedProjects(),
		tags:     map[string]bool{},
		nextID: map[string]int{
			"droplet": 501000000,
			"action":  2300000000,
			"image":   190000000,
			"key":     41200010,
		},
	}
	s.routes()
	return s
}

func (s *Server) routes() {
	s.handle("GET /v2/account", s.getAccount)
	s.handle("GET /v2/sizes", s.listSizes)
	s.handle("GET /v2/regions", s.listRegions)
	s.handle("GET /v2/account/keys", s.listKeys)
	s.handle("POST /v2/account/keys", s.createKey)
	s.handle("GET /v2/account/keys/{key}", s.getKey)
	s.handle("DELETE /v2/account/keys/{key}", s.deleteKey)
	s.handle("GET /v2/projects", s.listProjects)
	s.handle("GET /v2/projects/{project}", s.getProject)
	s.handle("GET /v2/projects/{project}/resources", s.listProjectResources)
	s.handle("POST /v2/projects/{project}/resources", s.assignProjectResources)
	s.handle("POST /v2/tags", s.createTag)
	s.handle("POST /v2/tags/{tag}/resources", s.tagResources)
	s.handle("DELETE /v2/tags/{tag}/resources", s.untagResources)
	s.handle("POST /v2/droplets", s.createDroplets)
	s.handle("GET /v2/droplets", s.listDroplets)
	s.handle("DELETE /v2/droplets", s.deleteDropletsByTag)
	s.handle("GET /v2/droplets/{droplet}", s.getDroplet)
	s.handle("DELETE /v2/droplets/{droplet}", s.deleteDroplet)
	s.handle("GET /v2/droplets/{droplet}/actions", s.listDropletActions)
	s.handle("POST /v2/droplets/{droplet}/actions", s.postDropletAction)
	s.handle("GET /v2/droplets/{droplet}/actions/{action}", s.getDropletAction)
	s.handle("GET /v2/actions", s.listActions)
	s.handle("GET /v2/actions/{action}", s.getAction)
	s.handle("GET /v2/images", s.listImages)
	s.handle("POST /v2/images", s.createImage)
	s.handle("GET /v2/images/{image}", s.getImage)
	s.handle("PUT /v2/images/{image}", s.updateImage)
	s.handle("DELETE /v2/images/{image}", s.deleteImage)
}

// call is one request being answered. Handlers read the request from it and
// leave their answer in it; ServeHTTP sends the answer once the handler has
// returned and released the simulator's lock, so no network write ever
// happens under the lock, and a lost answer is simply never sent.
type call struct {
	r      *http.Request
	body   []byte
	reqID  string
	now    time.Time
	header http.Header // the response's headers
	status int         // 0 until answered
	answer bytes.Buffer
}

type callKey struct{}

func (s *Server) handle(pattern string, h func(*call)) {
	s.mux.HandleFunc(pattern, func(_ http.ResponseWriter, r *http.Request) {
		c := r.Context().Value(callKey{}).(*call)
		c.r = r // r carries the pattern's path values
		h(c)
	})
}

// ServeHTTP answers r as DigitalOcean would: faults first, then the rate
// limit, then authentication, then the endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	sw := &statusWriter{ResponseWriter: w}
	c := &call{r: r, body: body, reqID: newUUID(), now: s.opts.Clock.Now(), header: sw.Header()}
	idx := s.record(r, body)
	// Deferred so that a dropped connection (a panic) is recorded as status 0.
	defer func() { s.setStatus(idx, sw.status) }()

	c.header.Set("Content-Type", "application/json; charset=utf-8")
	c.header.Set("X-Request-Id", c.reqID)
	token := bearerToken(r)
	f := s.takeFault(r)
	if f == nil || f.apply(c, s.opts.Clock, s.peekRate(token, c.now)) {
		s.serve(sw, c, token, err)
	}
	if f != nil && f.DropAfterHandling {
		// The work is done; cut the connection instead of answering, so the
		// client cannot tell whether its request took effect.
		panic(http.ErrAbortHandler)
	}
	if c.status != 0 {
		sw.WriteHeader(c.status)
		_, _ = sw.Write(c.answer.Bytes()) // a write error means the client went away
	}
}

// serve counts the request against the rate limit, authenticates it and
// routes it to its endpoint; readErr is the error reading its body.
func (s *Server) serve(w http.ResponseWriter, c *call, token string, readErr error) {
	rate, ok := s.admit(token, c.now)
	rate.setHeaders(c.header)
	switch {
	case !ok:
		c.fail(http.StatusTooManyRequests, msgRateLimited)
		return
	case token != s.opts.Token:
		c.fail(http.StatusUnauthorized, msgUnauthorized)
		return
	case readErr != nil:
		c.fail(http.StatusBadRequest, msgBadBody)
		return
	case len(c.body) > maxBody:
		c.fail(http.StatusRequestEntityTooLarge, "request body exceeds 1 MiB")
		return
	}
	r := c.r.WithContext(context.WithValue(c.r.Context(), callKey{}, c))
	if _, pattern := s.mux.Handler(r); pattern == "" {
		c.fail(http.StatusNotFound, msgNotFound)
		return
	}
	// Handlers answer through c; w only receives the mux's own redirects
	// of unclean paths.
	s.mux.ServeHTTP(w, r)
}

// Close stops every SSH endpoint and pending timer. The HTTP side keeps
// answering; droplets created after Close get no SSH endpoint.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	for _, d := range s.droplets {
		d.ssh.stop()
	}
	s.mu.Unlock()
	s.sshWG.Wait()
}

// ListenAndServe serves the simulator on addr until ctx is cancelled, then
// shuts down gracefully.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("dosim listen: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves the simulator on ln until ctx is cancelled, then shuts down
// gracefully. It logs the address through Options.Logf, which matters when
// the listener took port 0.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.opts.Logf("dosim: DigitalOcean API simulator on http://%s/ (token %q)", ln.Addr(), s.opts.Token)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("dosim serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("dosim shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("dosim serve: %w", err)
	}
	return nil
}

// Requests returns every request received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Body = append([]byte(nil), r.Body...)
		out[i] = r
	}
	return out
}

// Droplets returns the current droplets, ordered by id, as godo decodes them
// from GET /v2/droplets.
func (s *Server) Droplets() []godo.Droplet {
	s.mu.Lock()
	views := s.dropletViews(s.opts.Clock.Now(), func(*droplet) bool { return true })
	s.mu.Unlock()
	out := make([]godo.Droplet, len(views))
	for i, v := range views {
		b, err := json.Marshal(v)
		if err == nil {
			err = json.Unmarshal(b, &out[i])
		}
		if err != nil {
			panic(fmt.Sprintf("dosim: droplet %d does not round-trip through godo: %v", v.ID, err))
		}
	}
	return out
}

// UserData returns the user_data a droplet was created with.
func (s *Server) UserData(dropletID int) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.droplets[dropletID]
	if !ok {
		return "", false
	}
	return d.userData, true
}

func (s *Server) record(r *http.Request, body []byte) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{
		Method:   r.Method,
		Path:     r.URL.Path,
		RawQuery: r.URL.RawQuery,
		Body:     body,
	})
	return len(s.requests) - 1
}

func (s *Server) setStatus(idx, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[idx].Status = status
}

// newID hands out the next id of a kind; the caller holds s.mu.
func (s *Server) newID(kind string) int {
	s.nextID[kind]++
	return s.nextID[kind]
}

// baseURL is the scheme and host the client used, so links point back at
// the simulator the way DigitalOcean's point at api.digitalocean.com.
func (c *call) baseURL() string {
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.r.Host
}

func (c *call) json(status int, v any) {
	c.status = status
	c.answer.Reset()
	enc := json.NewEncoder(&c.answer)
	enc.SetEscapeHTML(false) // links hold '&', which DigitalOcean does not escape
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("dosim: answer does not encode: %v", err))
	}
}

// noContent answers 204; DigitalOcean keeps the JSON content type on it.
func (c *call) noContent() {
	c.status = http.StatusNoContent
	c.answer.Reset()
}

// decode parses the JSON body into v, answering 400 when it cannot.
func (c *call) decode(v any) bool {
	if err := json.Unmarshal(c.body, v); err != nil {
		c.fail(http.StatusBadRequest, msgBadBody)
		return false
	}
	return true
}

// statusWriter notes the status an answer went out with, for Requests.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05Z")
}
