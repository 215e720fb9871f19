package anywhere

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/Gleipnir-Technology/nixos-systems/internal/authkeys"
	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

// CheckAuthorizedKeys makes sure the reinstalled system will let the
// operator in: root's only keys will be those in path ("" = authkeys.File),
// so path must hold a key, and one of those cfg logs in with.
func CheckAuthorizedKeys(path string, cfg remote.Config) verify.Check {
	if path == "" {
		path = authkeys.File
	}
	listed, err := authkeys.Read(path)
	if err != nil {
		return verify.Fail("keys", err)
	}
	offered, identities, err := cfg.PublicKeys()
	if err != nil {
		return verify.Fail("keys", err)
	}
	if len(offered) == 0 {
		return verify.Fail("keys", errors.New("no ssh key to compare with: load one into ssh-agent (ssh-add) or set SSH_IDENTITY"))
	}
	source := describeSource(cfg, identities)
	for _, k := range offered {
		if listed.Contains(k) {
			return verify.Pass("keys", fmt.Sprintf("%s holds %d key(s), including %s", path, len(listed), source))
		}
	}
	if len(offered) == 1 {
		line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(offered[0])))
		return verify.Fail("keys", fmt.Errorf("%s lacks %s, so root would refuse you once the machine runs this repository's configuration; add this line to it: %s", path, source, line))
	}
	return verify.Fail("keys", fmt.Errorf("%s lacks every one of %s, so root would refuse you once the machine runs this repository's configuration; add one, e.g. `ssh-add -L >> %s`", path, source, path))
}

// describeSource names where the keys cfg logs in with come from, given the
// identities remote.Config.PublicKeys found them in.
func describeSource(cfg remote.Config, identities []string) string {
	if cfg.Identity() != "" {
		return "the key of " + identities[0]
	}
	parts := make([]string, len(identities))
	for i, id := range identities {
		parts[i] = id
		if id == remote.AgentIdentity {
			parts[i] = "the ssh-agent keys"
		}
	}
	return strings.Join(parts, " and ")
}
