package dosim

import "net/http"

// accountJSON is the Account schema (specification/resources/account/models/account.yml);
// doctl reads it to check a token (`doctl auth init`, `doctl account get`).
type accountJSON struct {
	DropletLimit    int    `json:"droplet_limit"`
	FloatingIPLimit int    `json:"floating_ip_limit"`
	Email           string `json:"email"`
	Name            string `json:"name"`
	UUID            string `json:"uuid"`
	EmailVerified   bool   `json:"email_verified"`
	Status          string `json:"status"`
	StatusMessage   string `json:"status_message"`
}

func (s *Server) getAccount(c *call) {
	c.json(http.StatusOK, map[string]accountJSON{"account": {
		DropletLimit:    25,
		FloatingIPLimit: 3,
		Email:           "sammy@example.com",
		Name:            "Sammy the Simulated Shark",
		UUID:            accountUUID,
		EmailVerified:   true,
		Status:          "active",
	}})
}
