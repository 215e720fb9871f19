package dosim

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// keyJSON is the SSH key schema (specification/resources/ssh_keys/models/sshKeys.yml).
type keyJSON struct {
	ID          int    `json:"id"`
	Fingerprint string `json:"fingerprint"`
	PublicKey   string `json:"public_key"`
	Name        string `json:"name"`
}

// SeedKeyID is the SSH key ID in the seed README's `doctl compute droplet create`.
const SeedKeyID = 48777034

// preloadedKeys are two real ed25519 public keys whose private halves were
// discarded: valid to parse, useless to log in with. The first has the ID of
// the key the seed README's droplets were made with, so the committed
// settings work against the simulator unchanged; seed, when set, is its
// public key instead (Options.SeedKey).
func preloadedKeys(seed string) []keyJSON {
	keys := []keyJSON{
		{ID: SeedKeyID, Name: "alice@workstation", PublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEmqcIE/aqN3KjXV0vcYT339vh8cfm5G7XUtKuIXSHdt alice@workstation"},
		{ID: 41200002, Name: "ci@builder", PublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHpVZDIqFQKz1+fXjUXeq/19eqWqCqe6i8+eXMZDoomP ci@builder"},
	}
	if seed = strings.TrimSpace(seed); seed != "" {
		keys[0].PublicKey, keys[0].Name = seed, "seed key"
		if f := strings.Fields(seed); len(f) > 2 {
			keys[0].Name = strings.Join(f[2:], " ")
		}
	}
	for i := range keys {
		fp, err := fingerprint(keys[i].PublicKey)
		if err != nil {
			panic(fmt.Sprintf("dosim: preloaded key %q: %v", keys[i].Name, err))
		}
		keys[i].Fingerprint = fp
	}
	return keys
}

// sshKeyTypes are the key types DigitalOcean accepts.
var sshKeyTypes = map[string]bool{
	"ssh-rsa": true, "ssh-dss": true, "ssh-ed25519": true,
	"ecdsa-sha2-nistp256": true, "ecdsa-sha2-nistp384": true, "ecdsa-sha2-nistp521": true,
	"sk-ssh-ed25519@openssh.com": true, "sk-ecdsa-sha2-nistp256@openssh.com": true,
}

// fingerprint is the MD5 fingerprint DigitalOcean shows for an
// authorized_keys line ("type base64 [comment]"): the MD5 of the decoded
// key blob, as colon-separated hex. It checks that the blob names the same
// key type as the line.
func fingerprint(authorizedKey string) (string, error) {
	fields := strings.Fields(authorizedKey)
	if len(fields) < 2 || !sshKeyTypes[fields[0]] {
		return "", fmt.Errorf("not an authorized_keys line of a supported type")
	}
	blob, err := base64.StdEncoding.DecodeString(fields[1])
	if err != nil {
		return "", fmt.Errorf("key is not base64: %w", err)
	}
	if len(blob) < 4 {
		return "", fmt.Errorf("key blob too short")
	}
	n := binary.BigEndian.Uint32(blob)
	if uint64(n) > uint64(len(blob)-4) || !bytes.Equal(blob[4:4+n], []byte(fields[0])) {
		return "", fmt.Errorf("key blob is not of type %s", fields[0])
	}
	sum := md5.Sum(blob)
	hexes := make([]string, len(sum))
	for i, b := range sum {
		hexes[i] = fmt.Sprintf("%02x", b)
	}
	return strings.Join(hexes, ":"), nil
}

// findKey looks a key up by id or fingerprint, as both the key endpoints and
// a droplet's ssh_keys accept either; the caller holds s.mu.
func (s *Server) findKey(idOrFingerprint string) (int, bool) {
	id, err := strconv.Atoi(idOrFingerprint)
	for i, k := range s.keys {
		if (err == nil && k.ID == id) || k.Fingerprint == idOrFingerprint {
			return i, true
		}
	}
	return 0, false
}

func (s *Server) listKeys(c *call) {
	s.mu.Lock()
	keys := append([]keyJSON(nil), s.keys...)
	s.mu.Unlock()
	paginate(c, "ssh_keys", keys)
}

// pathKey finds the index of the key the {key} path segment names, by id or
// fingerprint; the caller holds s.mu.
func (s *Server) pathKey(c *call) (int, bool) {
	return s.findKey(c.r.PathValue("key"))
}

func (s *Server) getKey(c *call) {
	withFound(s, c, s.pathKey, func(i int) {
		c.json(http.StatusOK, map[string]keyJSON{"ssh_key": s.keys[i]})
	})
}

func (s *Server) createKey(c *call) {
	var req struct {
		Name      string `json:"name"`
		PublicKey string `json:"public_key"`
	}
	if !c.decode(&req) {
		return
	}
	if strings.TrimSpace(req.Name) == "" {
		c.fail(http.StatusUnprocessableEntity, "Name can't be blank")
		return
	}
	k, err := s.addKey(req.Name, req.PublicKey)
	switch {
	case errors.Is(err, errKeyInUse):
		c.fail(http.StatusUnprocessableEntity, msgKeyInUse)
	case err != nil:
		c.fail(http.StatusUnprocessableEntity, "Key invalid, key should be of the format `type key [comment]`")
	default:
		c.json(http.StatusCreated, map[string]keyJSON{"ssh_key": k})
	}
}

var errKeyInUse = errors.New(msgKeyInUse)

// AddKey puts an SSH key on the account, as `doctl compute ssh-key import`
// does, without a request: a test's own key, or the operator's in a
// simulator they try the targets on. publicKey is an authorized_keys line.
// It returns the key's ID.
func (s *Server) AddKey(name, publicKey string) (int, error) {
	k, err := s.addKey(name, publicKey)
	return k.ID, err
}

// addKey adds a key as POST /v2/account/keys does.
func (s *Server) addKey(name, publicKey string) (keyJSON, error) {
	fp, err := fingerprint(publicKey)
	if err != nil {
		return keyJSON{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.findKey(fp); dup {
		return keyJSON{}, errKeyInUse
	}
	k := keyJSON{ID: s.newID("key"), Fingerprint: fp, PublicKey: strings.TrimSpace(publicKey), Name: name}
	s.keys = append(s.keys, k)
	return k, nil
}

func (s *Server) deleteKey(c *call) {
	withFound(s, c, s.pathKey, func(i int) {
		s.keys = append(s.keys[:i], s.keys[i+1:]...)
		c.noContent()
	})
}
