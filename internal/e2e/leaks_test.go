package e2e

import (
	"encoding/base64"
	"strings"
	"testing"
)

// TestLeakFormsCatchEncodedTokens checks the checker: a scan that cannot
// see an encoded token would pass for the wrong reason.
func TestLeakFormsCatchEncodedTokens(t *testing.T) {
	leaked := map[string]string{
		"verbatim":         "token " + token + " printed",
		"cut short":        "token " + token[:30] + "…",
		"without prefix":   strings.TrimPrefix(wrongToken, "dop_v1_"),
		"basic auth":       base64.StdEncoding.EncodeToString([]byte("user:" + token)),
		"bearer header":    base64.RawURLEncoding.EncodeToString([]byte("Authorization: Bearer " + token + "\r\n")),
		"aligned base64":   base64.StdEncoding.EncodeToString([]byte(token)),
		"two bytes before": base64.URLEncoding.EncodeToString([]byte("ab" + wrongToken)),
	}
	for name, text := range leaked {
		found := false
		for form := range leaks {
			found = found || strings.Contains(text, form)
		}
		if !found {
			t.Errorf("%s: no leak form matches", name)
		}
	}
	for form, desc := range leaks {
		if strings.Contains("dosim-token dop_v1_ Authorization: Bearer", form) {
			t.Errorf("form %q (%s) matches text without a token", form, desc)
		}
	}
}
