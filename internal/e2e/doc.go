// Package e2e runs the mage targets the way a user does: the magefiles are
// compiled once into a binary, and every target runs as a subprocess of it,
// with an environment of its own and no terminal, against the DigitalOcean
// simulator served from the test process. It checks what only the whole
// program shows: exit codes, which stream gets what, one-line errors, and that
// the API token is never printed. The package holds tests only.
package e2e
