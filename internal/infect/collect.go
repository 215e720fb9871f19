package infect

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
)

// Collect copies the install's logs from the droplet to w: cloud-init's and
// nixos-infect's, each from where it was before the reboot and from under
// OldRoot, where NixOS's first boot moves what it does not keep. A missing
// file is noted, not an error: which files exist tells how far the install
// got. It returns how many files it copied.
func Collect(ctx context.Context, c *remote.Client, p Paths, w io.Writer) (int, error) {
	found := 0
	for _, file := range p.logs() {
		out, err := c.Output(ctx, "cat -- "+remote.ShellQuote(file))
		var exit *remote.ExitError
		switch {
		case errors.As(err, &exit):
			_, err = fmt.Fprintf(w, "===== %s: not copied (%s) =====\n\n", file, cmp.Or(strings.TrimSpace(exit.Stderr), exit.Error()))
		case err != nil:
			return found, fmt.Errorf("copy %s from the droplet: %w", file, err)
		default:
			found++
			if len(out) > 0 && out[len(out)-1] != '\n' {
				out = append(out, '\n')
			}
			_, err = fmt.Fprintf(w, "===== %s =====\n%s\n", file, out)
		}
		if err != nil {
			return found, fmt.Errorf("write the copy of %s: %w", file, err)
		}
	}
	return found, nil
}
