package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// `mage sim -ssh=…` forwards its droplets' SSH (loopback addresses) to a
// real sshd on this machine, and they carry this repo's tag. With a Nix on
// PATH that could run nixos-anywhere and deploy-rs (a stub answering only
// --version) and the operator's key everywhere, anywhere (even with -yes
// -force) and up on such a droplet, and deploy to a host entry at its
// address, each refuse in one line, change nothing at DigitalOcean, and
// never ask nix for more than its version.
func TestSimDropletIsNeverInstalled(t *testing.T) {
	t.Parallel()
	sshd := sshtest.Start(t)
	f := startSim(t, dosim.Options{SSHBackend: sshd.Addr, SeedKey: sshtest.AuthorizedKey(t, sshd.ClientKeyFile)})
	sh := f.shell(t)
	sh.dir = workdir(t, []string{sshtest.AuthorizedKey(t, sshd.ClientKeyFile)})
	// What the dry runs show of the host entry comes from here.
	if err := os.CopyFS(filepath.Join(sh.dir, "nixos-anywhere"), os.DirFS(filepath.Join(repoRoot, "nixos-anywhere"))); err != nil {
		t.Fatal(err)
	}
	sh.set("SSH_IDENTITY", sshd.ClientKeyFile, "SSH_KNOWN_HOSTS", filepath.Join(t.TempDir(), "known_hosts"))
	calls := sh.stubNix(t, "nix (Nix) 2.24.10")
	mustSucceed(t, sh.run(t, "create", "-name=sim1"))
	d := f.Droplets()[0]
	ip, _ := d.PublicIPv4()
	before := len(f.Requests())

	refusal := ip + " is this machine (a loopback address): nixos-anywhere would wipe its disk"
	mustFail(t, sh.run(t, "anywhere", "host=sim1", "-yes", "-force"), "target: "+refusal, "`mage sim`", "not even -force")
	mustFail(t, sh.run(t, "anywhere", "host="+ip, "-dryrun"), "target: "+refusal)
	mustFail(t, sh.run(t, "up", "sim1", "-yes"), refusal)
	mustFail(t, sh.run(t, "up", "sim1", "-dryrun"), refusal)

	host := filepath.Join(sh.dir, "hosts", "sim1")
	if err := os.MkdirAll(host, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(host, "host.json"), `{"hostname": "sim1", "route": "anywhere", "address": "`+ip+`", "stateVersion": "25.11"}`)
	writeFile(t, filepath.Join(host, "disk-config.nix"), "{ }\n")
	writeFile(t, filepath.Join(host, "ssh_host_ed25519_key.pub"), sshd.HostPublicKey()+"\n")
	for _, args := range [][]string{{"deploy"}, {"deploy", "-dryrun"}} {
		mustFail(t, sh.run(t, args...), "host sim1 is at "+ip+", which is this machine (a loopback address): deploy-rs would switch this machine's system")
	}

	if changes := f.changesSince(before); len(changes) > 0 {
		t.Errorf("DigitalOcean was sent %v", changes)
	}
	for _, c := range sshtest.Calls(t, calls) {
		if c != "nix --version" {
			t.Errorf("nix ran: %q", c)
		}
	}
}
