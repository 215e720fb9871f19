package images

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/cmdline"
	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/poll"
)

// Distribution is what the import declares. DigitalOcean's list of
// distributions has no NixOS; "Unknown" is the list's own entry for that
// (and doctl's default). DigitalOcean accepts any value and shows every one
// outside its list, this one included, as "Unknown OS".
const Distribution = "Unknown"

// Custom image statuses (DigitalOcean's OpenAPI description).
const (
	StatusAvailable = "available"
	StatusDeleted   = "deleted"
	StatusRetired   = "retired"
)

// ImportRequest is one image to import from a public URL.
type ImportRequest struct {
	Name        string
	URL         string
	Region      string
	Description string
	Tags        []string // should include settings.ManagedTag, so List, FindImport and Delete find it
}

// ImportTimeout is how long WaitAvailable waits unless told otherwise.
const ImportTimeout = 30 * time.Minute

// MaxName bounds an image's name. DigitalOcean documents no limit; its
// droplet names stop at 255 characters, and a longer image name is a paste
// gone wrong, better refused before minutes of upload than after.
const MaxName = 255

// CheckName checks the name an import is to give the image.
func CheckName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return fmt.Errorf("image name %q is blank", name)
	case utf8.RuneCountInString(name) > MaxName:
		return fmt.Errorf("image name %q is %d characters long; at most %d are allowed", name, utf8.RuneCountInString(name), MaxName)
	case strings.ContainsFunc(name, unicode.IsControl):
		return fmt.Errorf("image name %q holds a control character", name)
	}
	return nil
}

// Import asks DigitalOcean to fetch the image at r.URL. The POST is never
// retried after a failure (doapi's transport), so a lost answer cannot start
// a second import.
func Import(ctx context.Context, api API, r ImportRequest) (*godo.Image, error) {
	img, _, err := api.Create(ctx, &godo.CustomImageCreateRequest{
		Name: r.Name, Url: r.URL, Region: r.Region, Distribution: Distribution,
		Description: r.Description, Tags: r.Tags,
	})
	if err == nil {
		return img, nil
	}
	if doapi.StatusOf(err) == 0 && ctx.Err() == nil {
		// DigitalOcean may have started the import even though its answer was lost.
		if found, ferr := FindImport(ctx, api, r); ferr == nil && found != nil {
			return found, nil
		}
		return nil, ErrImportUnknown.Errorf("import image %s: no answer (%w); DigitalOcean may have started it anyway", r.Name, err)
	}
	return nil, fmt.Errorf("import image %s from %s into %s: %w", r.Name, r.URL, r.Region, doapi.Explain(err))
}

// FindImport returns this repo's import of r made earlier (same name, region
// and description, which names the file's sha256) that has not failed, or
// nil: re-running an upload then waits for that import instead of paying
// for a second copy.
func FindImport(ctx context.Context, api API, r ImportRequest) (*godo.Image, error) {
	all, err := doapi.ListAll(ctx, api.ListUser)
	if err != nil {
		return nil, fmt.Errorf("look for an earlier import of %s: %w", r.Name, doapi.Explain(err))
	}
	for i, img := range all {
		// An import still in progress lists no regions yet.
		inRegion := len(img.Regions) == 0 || slices.Contains(img.Regions, r.Region)
		if managed(img) && img.Name == r.Name && img.Description == r.Description &&
			inRegion && img.Status != "deleted" && img.Status != "retired" {
			return &all[i], nil
		}
	}
	return nil, nil
}

// WaitOptions bounds and paces WaitAvailable: defaults 30m, 1s doubling to
// 15s, since an import takes minutes and faster polling only spends the
// rate limit.
type WaitOptions = poll.Pace

// WaitAvailable waits until image id is available, reporting each status it
// passes through, and fails with DigitalOcean's error_message if the import
// fails.
func WaitAvailable(ctx context.Context, api API, id int, o WaitOptions) (*godo.Image, error) {
	o = o.Or(poll.Pace{Timeout: ImportTimeout, FirstPoll: time.Second, MaxPoll: 15 * time.Second})
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	var img *godo.Image
	last := ""
	err := o.Until(ctx, false, func(ctx context.Context) (bool, error) {
		var err error
		img, _, err = api.GetByID(ctx, id)
		switch {
		case ctx.Err() != nil:
			return false, ctx.Err()
		case doapi.IsNotFound(err):
			img = nil
			return false, ErrImportGone.Errorf("image %d disappeared while importing (deleted by someone?)", id)
		case err != nil:
			img = nil
			return false, fmt.Errorf("read image %d: %w", id, doapi.Explain(err))
		}
		if msg := strings.TrimSpace(img.ErrorMessage); msg != "" || img.Status == StatusDeleted || img.Status == StatusRetired {
			if msg == "" {
				msg = "no error_message given"
			}
			return false, ErrImportFailed.Errorf("DigitalOcean could not import image %d (status %s): %s; check that the URL serves the whole gzipped raw or qcow2 disk", id, img.Status, msg)
		}
		if img.Status == StatusAvailable {
			fmt.Fprintf(o.Log, "image %d is available after %s\n", id, cmdline.Format(time.Since(start).Round(time.Second/10)))
			return true, nil
		}
		if img.Status != last {
			fmt.Fprintf(o.Log, "image %d is %s (%s)\n", id, img.Status, cmdline.Format(time.Since(start).Round(time.Second)))
		} else {
			fmt.Fprintf(o.Log, "  still %s (%s)\n", img.Status, cmdline.Format(time.Since(start).Round(time.Second)))
		}
		last = img.Status
		return false, nil
	})
	if ctx.Err() != nil {
		return nil, stillImporting(id, last, start, ctx.Err())
	}
	return img, err
}

// stillImporting explains a wait that ended before the import did.
func stillImporting(id int, status string, start time.Time, err error) error {
	why := "interrupted"
	if errors.Is(err, context.DeadlineExceeded) {
		why = "timed out"
	}
	if status == "" {
		status = "unknown"
	}
	return &StillImportingError{ID: id, Err: fmt.Errorf("stopped waiting for image %d (status %s): %s after %s; DigitalOcean goes on importing it: %w",
		id, status, why, cmdline.Format(time.Since(start).Round(time.Second)), err)}
}
