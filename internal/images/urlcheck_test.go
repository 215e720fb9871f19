package images

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func TestCheckURL(t *testing.T) {
	const size = 4096
	serveLength := func(n string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", n)
			w.WriteHeader(http.StatusOK)
		}
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string // "" = accepted
	}{
		{"200 with the right length", serveLength(strconv.Itoa(size)), ""},
		{"404", http.NotFound, "answered 404: the uploaded file is not served there"},
		{"wrong length", serveLength("1000"), "says 1000 bytes, the image has 4096"},
		{"HEAD not allowed", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusMethodNotAllowed)
		}, "answered 405 Method Not Allowed: DigitalOcean's import needs HEAD"},
		{"HEAD not implemented", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNotImplemented)
		}, "answered 501 Not Implemented: DigitalOcean's import needs HEAD"},
		{"forbidden", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusForbidden)
		}, "answered 403 Forbidden, want 200 OK"},
		{"no length", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Transfer-Encoding", "chunked")
			w.WriteHeader(http.StatusOK)
		}, "gave no Content-Length, want 4096"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var method, encoding string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				method, encoding = r.Method, r.Header.Get("Accept-Encoding")
				tc.handler(w, r)
			}))
			defer srv.Close()
			err := CheckURL(context.Background(), nil, srv.URL+"/nixos.qcow2.gz", size)
			if method != http.MethodHead || encoding != "" {
				t.Errorf("sent %s with Accept-Encoding %q, want HEAD without it", method, encoding)
			}
			if tc.want == "" {
				if err != nil {
					t.Fatalf("err = %v, want accepted", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), srv.URL+"/nixos.qcow2.gz") || strings.Contains(err.Error(), "\n") {
				t.Errorf("want one line naming the URL: %q", err)
			}
		})
	}
}

func TestCheckURLStaticFile(t *testing.T) {
	dir := t.TempDir()
	_, size, _ := writeImage(t, dir, "nixos.qcow2.gz")
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	if err := CheckURL(context.Background(), nil, srv.URL+"/nixos.qcow2.gz", size); err != nil {
		t.Fatal(err)
	}
}

func TestCheckURLUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	err = CheckURL(context.Background(), nil, "http://"+addr+"/nixos.qcow2.gz", 1)
	if err == nil || !strings.Contains(err.Error(), "the URL is unreachable") || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("err = %v, want unreachable explained", err)
	}
}
