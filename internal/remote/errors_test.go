package remote

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestErrorMessages(t *testing.T) {
	refused := errors.New("ssh: unable to authenticate")
	for _, tc := range []struct {
		err  error
		want string
	}{
		{
			&ExitError{Cmd: "nixos-install", Status: 1, Stderr: "building...\nerror: out of disk space\n\n"},
			`remote command "nixos-install" exited 1: error: out of disk space`,
		},
		{
			&ExitError{Cmd: "false", Status: 1},
			`remote command "false" exited 1`,
		},
		{
			&HostKeyChangedError{Host: "203.0.113.7", Want: "SHA256:old", Got: "SHA256:new", KnownHostsFile: "/root/.ssh/known_hosts", Line: 12},
			"the host key of 203.0.113.7 changed (known_hosts /root/.ssh/known_hosts:12 has SHA256:old, server offered SHA256:new); " +
				"expected after a reinstall that did not keep host keys, otherwise a possible attack; " +
				"if you reinstalled it, remove the old entry with `ssh-keygen -R 203.0.113.7 -f /root/.ssh/known_hosts` and retry",
		},
		{
			&HostKeyChangedError{Host: "[203.0.113.7]:2222", Want: "SHA256:old", Got: "SHA256:new", KnownHostsFile: "/home/op/my hosts", Line: 1},
			"the host key of [203.0.113.7]:2222 changed (known_hosts /home/op/my hosts:1 has SHA256:old, server offered SHA256:new); " +
				"expected after a reinstall that did not keep host keys, otherwise a possible attack; " +
				"if you reinstalled it, remove the old entry with `ssh-keygen -R '[203.0.113.7]:2222' -f '/home/op/my hosts'` and retry",
		},
		{
			&AuthError{User: "root", Host: "1.2.3.4", Identities: []string{"/root/.ssh/id_ed25519"}, Err: refused},
			"root@1.2.3.4 refused key /root/.ssh/id_ed25519: add its public key to the droplet",
		},
		{
			&AuthError{User: "root", Host: "1.2.3.4", Identities: []string{AgentIdentity, "/root/.ssh/id_rsa"}, Err: refused},
			"root@1.2.3.4 refused the ssh-agent keys and key /root/.ssh/id_rsa: add its public key to the droplet",
		},
	} {
		if diff := cmp.Diff(tc.want, tc.err.Error()); diff != "" {
			t.Errorf("%#v (-want +got):\n%s", tc.err, diff)
		}
	}
}
