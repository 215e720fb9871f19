package images

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

func TestPublishArgv(t *testing.T) {
	tests := []struct {
		name, ssh string
		want      []string
	}{
		{"user's ssh config", "", []string{"rsync", "--partial", "--progress", "--perms", "--chmod=F644", "images/a.qcow2.gz", "static.example.com:/var/www/"}},
		{"explicit ssh", "ssh -p 2222", []string{"rsync", "--partial", "--progress", "--perms", "--chmod=F644", "-e", "ssh -p 2222", "images/a.qcow2.gz", "static.example.com:/var/www/"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &fakeRunner{}
			if err := Publish(context.Background(), "images/a.qcow2.gz", PublishOptions{Dest: "static.example.com:/var/www/", SSH: tc.ssh, Runner: r}); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, append([]string{r.cmds[0].Name}, r.cmds[0].Args...)); diff != "" {
				t.Errorf("argv (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPublishBadDest(t *testing.T) {
	for dest, want := range map[string]string{
		"":                            "IMAGE_PUBLISH_DEST is empty",
		"static.example.com:/var/www": "IMAGE_PUBLISH_DEST=static.example.com:/var/www must end with /",
	} {
		r := &fakeRunner{}
		err := Publish(context.Background(), "a.qcow2.gz", PublishOptions{Dest: dest, Runner: r})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("dest %q: err = %v, want %q", dest, err, want)
		}
		if len(r.cmds) != 0 {
			t.Errorf("dest %q: rsync ran", dest)
		}
	}
}

func TestPublishRsyncMissing(t *testing.T) {
	r := &fakeRunner{do: func(runner.Command) error { return &exec.Error{Name: "rsync", Err: exec.ErrNotFound} }}
	err := Publish(context.Background(), "a.qcow2.gz", PublishOptions{Dest: "h:/d/", Runner: r})
	if err == nil || !strings.Contains(err.Error(), "rsync is not on PATH") {
		t.Fatalf("err = %v", err)
	}
}

// loopbackSSH is rsync's remote shell for s: its key and host key only,
// nothing from the user's ssh config, and never a prompt.
func loopbackSSH(t *testing.T, s *sshtest.Server) string {
	return fmt.Sprintf("ssh -F /dev/null -p %d -i %s -o IdentitiesOnly=yes -o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes -o BatchMode=yes",
		s.Port, s.ClientKeyFile, s.KnownHostsFile(t))
}

func TestPublishOverSSH(t *testing.T) {
	sshtest.Require(t, "rsync", "rsync")
	s := sshtest.Start(t)
	src, size, _ := writeImage(t, t.TempDir(), "nixos.qcow2.gz")
	os.Chmod(src, 0o600) // the host must still serve it to everyone
	dest := t.TempDir()
	var progress bytes.Buffer
	err := Publish(context.Background(), src, PublishOptions{
		Dest: fmt.Sprintf("%s@%s:%s/", s.User, s.Host, dest), SSH: loopbackSSH(t, s), Progress: &progress,
	})
	if err != nil {
		t.Fatalf("publish: %v\n%s", err, progress.String())
	}
	info, err := os.Stat(filepath.Join(dest, "nixos.qcow2.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() != size || info.Mode().Perm() != 0o644 {
		t.Errorf("published %d bytes mode %o, want %d bytes mode 644", info.Size(), info.Mode().Perm(), size)
	}
	if !strings.Contains(progress.String(), "100%") {
		t.Errorf("no progress streamed: %q", progress.String())
	}
}

func TestPublishOverSSHFails(t *testing.T) {
	sshtest.Require(t, "rsync", "rsync")
	s := sshtest.Start(t)
	src, _, _ := writeImage(t, t.TempDir(), "nixos.qcow2.gz")
	var progress bytes.Buffer
	err := Publish(context.Background(), src, PublishOptions{
		Dest: fmt.Sprintf("%s@%s:%s/", s.User, s.Host, filepath.Join(t.TempDir(), "no", "such", "dir")), SSH: loopbackSSH(t, s), Progress: &progress,
	})
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || !strings.Contains(err.Error(), "check that `ssh` reaches the host and the directory exists") {
		t.Fatalf("err = %v, want rsync's failure explained", err)
	}
}

func TestPublicURL(t *testing.T) {
	got, err := PublicURL("https://static.example.com/nixos/", "nixos image+1.qcow2.gz")
	if want := "https://static.example.com/nixos/nixos%20image+1.qcow2.gz"; err != nil || got != want {
		t.Errorf("PublicURL = %q, %v; want %q", got, err, want)
	}
	for _, bad := range []string{"", "static.example.com/", "ftp://static.example.com/", "https://static.example.com/nixos"} {
		if _, err := PublicURL(bad, "a.qcow2.gz"); err == nil || !strings.Contains(err.Error(), "IMAGE_PUBLIC_URL=") {
			t.Errorf("PublicURL(%q) err = %v, want it refused", bad, err)
		}
	}
}
