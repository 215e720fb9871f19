package doapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/digitalocean/godo"
)

// Explain wraps an API error with what the operator should do about it,
// keeping DigitalOcean's own message, status and request ID visible.
func Explain(err error) error {
	var er *godo.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil {
		return err
	}
	switch er.Response.StatusCode {
	case http.StatusUnauthorized:
		return fmt.Errorf("%w: DigitalOcean refused the token; check DIGITALOCEAN_ACCESS_TOKEN (or `doctl auth init`) and that the token has not been revoked", err)
	case http.StatusForbidden:
		return fmt.Errorf("%w: the token lacks a scope this needs; create one with read and write access", err)
	case http.StatusTooManyRequests:
		return fmt.Errorf("%w: DigitalOcean's rate limit (5,000 requests an hour) is used up; wait and retry", err)
	}
	if er.Response.StatusCode >= 500 {
		return fmt.Errorf("%w: DigitalOcean is failing; retry later and check https://status.digitalocean.com", err)
	}
	return err
}

// IsNotFound reports whether err is DigitalOcean's 404.
func IsNotFound(err error) bool {
	return StatusOf(err) == http.StatusNotFound
}

// StatusOf returns the HTTP status of a DigitalOcean error, or 0 when the
// request never got an answer.
func StatusOf(err error) int {
	var er *godo.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	return 0
}
