package images

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os/exec"
	"strings"

	"github.com/Gleipnir-Technology/nixos-systems/internal/runner"
)

// PublishOptions says where the image goes and how rsync gets there.
type PublishOptions struct {
	Dest string // rsync destination directory, e.g. static.example.com:/var/www/static/
	// SSH is rsync's remote shell (-e). "" leaves rsync's default, ssh with
	// the user's own ~/.ssh/config: the static host is not a droplet, so the
	// droplet SSH settings do not apply to it. Tests point it at a loopback sshd.
	SSH      string
	Runner   runner.Runner // nil = run for real, interrupted when ctx ends
	Progress io.Writer     // rsync's progress; nil = discarded
}

// Publish copies the image to the static host with rsync. --partial keeps
// what an interrupted upload sent so the next run resumes it, and the file
// is made world-readable there so the web server may serve it.
func Publish(ctx context.Context, file string, o PublishOptions) error {
	if err := CheckDest(o.Dest); err != nil {
		return err
	}
	if o.Runner == nil {
		o.Runner = execRunner
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	args := []string{"--partial", "--progress", "--perms", "--chmod=F644"}
	if o.SSH != "" {
		args = append(args, "-e", o.SSH)
	}
	args = append(args, file, o.Dest)
	err := o.Runner.Run(ctx, runner.Command{Name: "rsync", Args: args, Stdout: o.Progress, Stderr: o.Progress})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, exec.ErrNotFound):
		return errors.New("rsync is not on PATH: install rsync (`nix develop` has it) to publish the image")
	case ctx.Err() != nil:
		return fmt.Errorf("upload to %s interrupted; run again to resume it: %w", o.Dest, ctx.Err())
	}
	return fmt.Errorf("rsync %s to %s failed (its output is above); check that `ssh` reaches the host and the directory exists: %w", file, o.Dest, err)
}

// CheckDest checks an rsync destination before a long upload is started.
func CheckDest(dest string) error {
	if dest == "" {
		return errors.New("IMAGE_PUBLISH_DEST is empty: set it in digitalocean/settings.env to the rsync destination directory of a public web server, e.g. static.example.com:/var/www/static/")
	}
	if !strings.HasSuffix(dest, "/") {
		// Without the slash rsync would store the image under the directory's name.
		return fmt.Errorf("IMAGE_PUBLISH_DEST=%s must end with / (a directory), e.g. %s/", dest, dest)
	}
	return nil
}

// PublicURL is where the web server at base serves the file name.
func PublicURL(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !strings.HasSuffix(u.Path, "/") {
		return "", fmt.Errorf("IMAGE_PUBLIC_URL=%q must be the http(s) URL of the directory IMAGE_PUBLISH_DEST serves, ending in /, e.g. https://static.example.com/", base)
	}
	return u.JoinPath(name).String(), nil
}
