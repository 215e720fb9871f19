package images

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// headTimeout bounds the HEAD request of CheckURL.
const headTimeout = 30 * time.Second

// CheckURL asks url what DigitalOcean's importer will ask before fetching it:
// a HEAD answered 200 with the file's length. A failure here costs seconds;
// the same failure inside DigitalOcean shows up minutes later as an import
// error that does not say why. client nil means a plain client.
func CheckURL(ctx context.Context, client *http.Client, url string, size int64) error {
	if client == nil {
		// No Accept-Encoding: the importer asks for the file as it is, and a
		// server compressing on the fly would report another length.
		client = &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, DisableCompression: true, DisableKeepAlives: true}}
	}
	ctx, cancel := context.WithTimeout(ctx, headTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, url, nil)
	if err != nil {
		return fmt.Errorf("HEAD %s: %w", url, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("HEAD %s: the URL is unreachable (%w); DigitalOcean must be able to fetch it: check IMAGE_PUBLIC_URL and that the host serves it publicly", url, err)
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return fmt.Errorf("HEAD %s answered 404: the uploaded file is not served there; check that IMAGE_PUBLIC_URL is the web address of IMAGE_PUBLISH_DEST", url)
	case http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return fmt.Errorf("HEAD %s answered %s: DigitalOcean's import needs HEAD and fails without it; serve the file from a web server that answers HEAD (some CDNs do not)", url, resp.Status)
	default:
		return fmt.Errorf("HEAD %s answered %s, want 200 OK: DigitalOcean could not fetch the image; make the file publicly readable at IMAGE_PUBLIC_URL", url, resp.Status)
	}
	switch resp.ContentLength {
	case size:
		return nil
	case -1:
		return fmt.Errorf("HEAD %s gave no Content-Length, want %d: DigitalOcean needs the length; serve the file as a plain static file", url, size)
	}
	return fmt.Errorf("HEAD %s says %d bytes, the image has %d: the host serves another or a partial copy; upload it again, or check that IMAGE_PUBLIC_URL matches IMAGE_PUBLISH_DEST", url, resp.ContentLength, size)
}
