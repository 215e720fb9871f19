package dosim

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/digitalocean/godo"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

func TestUnknownEndpoints(t *testing.T) {
	e := newEnv(t, Options{})
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/v2/volumes"},
		{http.MethodPatch, "/v2/droplets"},
		{http.MethodGet, "/v2/droplets/not-a-number"},
		{http.MethodGet, "/v2/actions/42"},
		{http.MethodGet, "/"},
	} {
		if resp := e.raw(t, c.method, c.path, ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s %s: status %d, want 404", c.method, c.path, resp.StatusCode)
		}
	}
}

func TestHeadAnswersHeadersOnly(t *testing.T) {
	e := newEnv(t, Options{})
	resp := e.raw(t, http.MethodHead, "/v2/sizes", "")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("RateLimit-Remaining") != "4999" || resp.Header.Get("X-Request-Id") == "" {
		t.Errorf("HEAD: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestRequestsAreRecorded(t *testing.T) {
	e := newEnv(t, Options{})
	e.createDroplet(t, basicRequest("recorded"))
	if _, _, err := e.client.Droplets.ListByTag(ctx, "web", &godo.ListOptions{PerPage: 5}); err != nil {
		t.Fatal(err)
	}
	reqs := e.sim.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests recorded, want 2", len(reqs))
	}
	if !strings.Contains(string(reqs[0].Body), `"name":"recorded"`) {
		t.Errorf("create body %s", reqs[0].Body)
	}
	reqs[0].Body = nil
	want := []Request{
		{Method: http.MethodPost, Path: "/v2/droplets", Status: http.StatusAccepted},
		{Method: http.MethodGet, Path: "/v2/droplets", RawQuery: "per_page=5&tag_name=web", Status: http.StatusOK},
	}
	if diff := cmp.Diff(want, reqs); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	again := e.sim.Requests()
	again[0].Body[0] = 'X'
	if e.sim.Requests()[0].Body[0] == 'X' {
		t.Error("Requests returns the simulator's own body slices")
	}
}

func TestListenAndServe(t *testing.T) {
	var mu sync.Mutex
	var logged []string
	sim := New(Options{Logf: func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		logged = append(logged, fmt.Sprintf(format, args...))
	}})
	defer sim.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- sim.ListenAndServe(runCtx, addr) }()
	hc := oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: DefaultToken}))
	client, err := godo.New(hc, godo.SetBaseURL("http://"+addr+"/"))
	if err != nil {
		t.Fatal(err)
	}
	sshtest.Eventually(t, "the simulator to serve", func() bool {
		_, _, err := client.Sizes.List(ctx, nil)
		return err == nil
	})
	cancel()
	if err := sshtest.Await(t, done, "ListenAndServe to return after cancel"); err != nil {
		t.Errorf("ListenAndServe: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(logged) != 1 || !strings.Contains(logged[0], "http://"+addr+"/") {
		t.Errorf("logged %q, want the address", logged)
	}
	if err := sim.ListenAndServe(ctx, "256.0.0.1:1"); err == nil {
		t.Error("ListenAndServe on a bad address succeeded")
	}
}
