package dosim

import (
	"net/http"
	"strings"
)

// bearerToken extracts the token from "Authorization: Bearer <token>"; the
// scheme is case-insensitive as in RFC 6750. It returns "" when there is
// none, which no configured token equals.
func bearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}
