package infect

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

func TestCollectGathersBothLocations(t *testing.T) {
	d := newFakeDroplet(t)
	p := d.paths
	// As after a reboot into NixOS: the kept log in place, cloud-init's
	// logs and the rest of the old system under the old root.
	sshtest.WriteFile(d.t, p.Log, "nixos-systems: installing NixOS\n")
	sshtest.WriteFile(d.t, p.Status, "done\n")
	sshtest.WriteFile(d.t, filepath.Join(p.OldRoot, p.CloudInitOutput), "Cloud-init v. 22.4.2 finished\n")
	sshtest.WriteFile(d.t, filepath.Join(p.OldRoot, p.CloudInit), "util.py[DEBUG]: Running command")
	sshtest.WriteFile(d.t, filepath.Join(p.OldRoot, p.Log), "nixos-systems: installing NixOS\n")

	c, err := remote.Dial(context.Background(), d.srv.Host, d.ssh)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var out bytes.Buffer
	n, err := Collect(context.Background(), c, p, &out)
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Errorf("copied %d files, want 5", n)
	}
	got := out.String()
	for _, want := range []string{
		"===== " + p.Log + " =====\nnixos-systems: installing NixOS\n",
		"===== " + p.Status + " =====\ndone\n",
		"===== " + filepath.Join(p.OldRoot, p.CloudInitOutput) + " =====\nCloud-init v. 22.4.2 finished\n",
		// A file without a final newline gets one, so the next header stays on its own line.
		"===== " + filepath.Join(p.OldRoot, p.CloudInit) + " =====\nutil.py[DEBUG]: Running command\n\n=====",
		"===== " + filepath.Join(p.OldRoot, p.Log) + " =====\n",
		"===== " + p.CloudInitOutput + ": not copied (cat: " + p.CloudInitOutput + ": No such file or directory) =====",
		"===== " + filepath.Join(p.OldRoot, p.Status) + ": not copied",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("copy lacks %q:\n%s", want, got)
		}
	}
}
