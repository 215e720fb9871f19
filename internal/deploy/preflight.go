package deploy

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"golang.org/x/crypto/ssh"

	"github.com/Gleipnir-Technology/nixos-systems/internal/hosts"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
)

// preflight checks with our own SSH client, before deploy-rs logs in with
// OpenSSH, what that client can explain: the host answers and lets us in,
// and its host key is the one known_hosts holds. When known_hosts holds
// none for the host, the key its entry in the repository records is put
// there first, so no key is ever trusted on first sight; and a key that
// known_hosts accepts but the entry does not record means the entry is
// out of date.
func preflight(ctx context.Context, h hosts.Host, dir string, cfg remote.Config, log io.Writer) error {
	key, err := h.HostKey(dir)
	if err != nil {
		return err
	}
	entryKey := filepath.Join(dir, h.Name, hosts.HostKeyFile)
	added, err := remote.KnowHostKey(cfg, h.Address, key)
	if err != nil {
		return err
	}
	if added {
		fmt.Fprintf(log, "%s: known_hosts had no key for %s; recorded the one in %s (%s)\n", h.Name, h.Address, entryKey, ssh.FingerprintSHA256(key))
	}
	c, err := remote.Dial(ctx, h.Address, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	if shown := c.OtherHostKey(key); shown != nil {
		return fmt.Errorf("%s shows host key %s, which known_hosts accepts, but %s records %s: the host entry is out of date (reinstalled?); write the host's key there (`ssh-keyscan -t ed25519 %s`) after checking it on the droplet's console",
			h.Name, ssh.FingerprintSHA256(shown), entryKey, ssh.FingerprintSHA256(key), h.Address)
	}
	return nil
}
