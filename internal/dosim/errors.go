package dosim

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
)

// Messages DigitalOcean is seen sending (the spec's examples and public bug
// reports that quote the API), so clients matching on them behave as in
// production.
const (
	msgUnauthorized     = "Unable to authenticate you."
	msgNotFound         = "The resource you were accessing could not be found."
	msgRateLimited      = "API rate limit exceeded."
	msgServerError      = "Unexpected server-side error"
	msgBadBody          = "error parsing request body"
	msgForbidden        = "You do not have access for the attempted action."
	msgInvalidName      = "Only valid hostname characters are allowed. (a-z, A-Z, 0-9, . and -)"
	msgInvalidSize      = "You specified an invalid size for Droplet creation."
	msgSizeNotInRegion  = "Size is not available in this region."
	msgInvalidRegion    = "You specified an invalid region for Droplet creation."
	msgRegionClosed     = "Region is not available"
	msgInvalidImage     = "You specified an invalid image for Droplet creation."
	msgImageNotInRegion = "The image you specified is not available in the selected region, you can transfer it to this region from the images pages."
	msgIPv6Custom       = "image is not compatible with ipv6"
	msgKeyInUse         = "SSH Key is already in use on your account"
	msgImageDeleted     = "Image Can not delete an already deleted image."
	msgBadTag           = "tag names may contain letters, numbers, colons, dashes, and underscores, up to 255 characters"
	msgBadURN           = "resource objects must have an urn in the following format: do:resource_type:resource_id"
)

// apiError is DigitalOcean's error body; request_id is optional in the spec
// but godo prints it, so the simulator always sends it.
type apiError struct {
	ID        string `json:"id"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
}

func (c *call) fail(status int, message string) {
	c.json(status, apiError{ID: errorID(status), Message: message, RequestID: c.reqID})
}

// errorID is the snake_case id DigitalOcean pairs with a status, e.g.
// "not_found" for 404; 500 is "server_error" rather than the status text.
func errorID(status int) string {
	if status == http.StatusInternalServerError {
		return "server_error"
	}
	text := http.StatusText(status)
	if text == "" {
		return "error"
	}
	text = strings.NewReplacer(" ", "_", "-", "_", "'", "").Replace(text)
	return strings.ToLower(text)
}

// faultMessage is the message DigitalOcean sends with an injected status.
func faultMessage(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return msgRateLimited
	case http.StatusInternalServerError:
		return msgServerError
	case http.StatusUnauthorized:
		return msgUnauthorized
	case http.StatusNotFound:
		return msgNotFound
	}
	return http.StatusText(status)
}

// newUUID returns a random (version 4) UUID, the form of DigitalOcean's
// request and project ids.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
