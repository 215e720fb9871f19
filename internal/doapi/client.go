// Package doapi builds the godo client every target uses: token lookup as
// doctl does it, an API URL that can point at the simulator, retries that
// never duplicate a create, and errors that say what to do next.
package doapi

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"
)

// DefaultURL is DigitalOcean's API; DIGITALOCEAN_API_URL overrides it as it does for doctl.
const DefaultURL = "https://api.digitalocean.com/"

// Options tunes the client; the zero value is what users get.
type Options struct {
	BaseURL        string        // "" = DefaultURL
	RequestTimeout time.Duration // per attempt; 0 = 30s
	Retries        int           // extra attempts after the first; 0 = 4, negative = none
	MinWait        time.Duration // first backoff; 0 = 1s
	MaxWait        time.Duration // longest backoff or Retry-After honoured; 0 = 30s
	Log            io.Writer     // retry notices; nil = silent
}

// URLFromEnv returns DIGITALOCEAN_API_URL or DefaultURL.
func URLFromEnv(getenv func(string) string) string {
	if u := getenv("DIGITALOCEAN_API_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// New returns a godo client for token. Retries live in our own transport
// rather than godo's retryablehttp, which would resend a POST whose answer was
// lost and so create a second droplet.
func New(token string, opts Options) (*godo.Client, error) {
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultURL
	}
	if !strings.HasSuffix(opts.BaseURL, "/") {
		// godo resolves "v2/..." against the base, which drops a last path segment without the slash.
		opts.BaseURL += "/"
	}
	rt := &retryTransport{
		base:    http.DefaultTransport,
		timeout: cmp.Or(opts.RequestTimeout, 30*time.Second),
		retries: cmp.Or(opts.Retries, 4),
		minWait: cmp.Or(opts.MinWait, time.Second),
		maxWait: cmp.Or(opts.MaxWait, 30*time.Second),
		log:     opts.Log,
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Transport: rt})
	hc := oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}))
	c, err := godo.New(hc, godo.SetBaseURL(opts.BaseURL), godo.SetUserAgent("nixos-systems"))
	if err != nil {
		return nil, fmt.Errorf("digitalocean client for %s: %w", opts.BaseURL, err)
	}
	return c, nil
}
