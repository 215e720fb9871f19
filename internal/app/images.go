package app

import (
	"context"
	"fmt"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/display"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hints"
	"github.com/Gleipnir-Technology/nixos-systems/internal/images"
	"github.com/Gleipnir-Technology/nixos-systems/internal/poll"
	"github.com/Gleipnir-Technology/nixos-systems/internal/prompt"
)

// BuildImage builds the NixOS DigitalOcean image into images/ and prints
// where it is, its size and its hash. Nix's build log goes to Err.
func BuildImage(ctx context.Context, e *Env, o images.BuildOptions) (err error) {
	defer explain(&err)
	if o.Log == nil {
		o.Log = e.Err
	}
	a, err := images.Build(ctx, o)
	if err != nil {
		return err
	}
	if err := e.print(false, display.Artifact(a)); err != nil {
		return err
	}
	fmt.Fprintln(e.Err, hints.AfterBuild(a.Path))
	return nil
}

// UploadOptions are the flags of the upload target.
type UploadOptions struct {
	File    string        // image file; "" = the newest in images/
	Name    string        // image name at DigitalOcean; "" = the file name without its suffix
	Timeout time.Duration // how long to wait for the import; 0 = images.ImportTimeout
	SSH     string        // rsync's remote shell; "" = ssh with the user's own config
}

// UploadImage publishes an image file on the static host, checks that
// DigitalOcean will be able to fetch it, imports it and waits until it is
// available. Everything that can be checked locally is checked before the
// upload, which takes minutes.
func UploadImage(ctx context.Context, e *Env, o UploadOptions) (err error) {
	defer explain(&err)
	file := o.File
	if file == "" {
		if file, err = images.Newest(images.DefaultDir); err != nil {
			return err
		}
	}
	a, err := images.Inspect(file)
	if err != nil {
		return err
	}
	url, err := images.PublicURL(e.Settings.PublicURL, a.Name())
	if err != nil {
		return err
	}
	if err := images.CheckDest(e.Settings.PublishDest); err != nil {
		return err
	}
	fmt.Fprintf(e.Err, "publishing %s (%d bytes, sha256 %s) to %s\n", a.Path, a.Size, a.SHA256, e.Settings.PublishDest)
	if err := images.Publish(ctx, a.Path, images.PublishOptions{Dest: e.Settings.PublishDest, SSH: o.SSH, Progress: e.Err}); err != nil {
		return err
	}
	fmt.Fprintf(e.Err, "checking that %s answers HEAD with its length, as DigitalOcean's import needs\n", url)
	if err := images.CheckURL(ctx, nil, url, a.Size); err != nil {
		return err
	}
	name := o.Name
	if name == "" {
		name = images.BaseName(a.Path)
	}
	req := images.ImportRequest{
		Name: name, URL: url, Region: e.Settings.Region, Tags: e.Settings.AllTags(),
		Description: fmt.Sprintf("NixOS from %s (sha256 %s), imported by nixos-systems", a.Name(), a.SHA256),
	}
	api := e.imageAPI()
	img, err := images.FindImport(ctx, api, req)
	if err != nil {
		return err
	}
	if img != nil {
		fmt.Fprintf(e.Err, "this file was imported before as image %d (%s); using it instead of importing again\n", img.ID, img.Status)
	} else {
		if img, err = images.Import(ctx, api, req); err != nil {
			return err
		}
		fmt.Fprintf(e.Err, "importing %s as image %d in %s; DigitalOcean fetches and converts it, which takes minutes\n", name, img.ID, e.Settings.Region)
	}
	img, err = images.WaitAvailable(ctx, api, img.ID, poll.Pace{
		Timeout: o.Timeout, FirstPoll: e.Wait.FirstPoll, MaxPoll: e.Wait.MaxPoll, Log: e.Err,
	})
	if err != nil {
		return err
	}
	if err := e.print(false, display.Image(images.Describe(*img))); err != nil {
		return err
	}
	fmt.Fprintln(e.Err, hints.AfterUpload(img.ID))
	return nil
}

// Images prints the custom images this repo imported and what storing them costs.
func Images(ctx context.Context, e *Env, asJSON bool) (err error) {
	defer explain(&err)
	list, err := images.List(ctx, e.imageAPI())
	if err != nil {
		return err
	}
	return e.print(asJSON, display.Images(list))
}

// DeleteImage deletes one of this repo's custom images.
func DeleteImage(ctx context.Context, e *Env, id string, yes, force bool) (err error) {
	defer explain(&err)
	img, err := images.Delete(ctx, e.imageAPI(), id, prompt.Consent{Yes: yes, Force: force, In: e.In, Out: e.Err})
	if err != nil {
		return err
	}
	return e.print(false, display.Removed(display.Removal{Verb: "deleted", Kind: "image", Name: img.Name, ID: img.ID}))
}
