package app

import (
	"context"
	"fmt"
	"time"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/display"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hints"
	"github.com/Gleipnir-Technology/nixos-systems/internal/images"
	"github.com/Gleipnir-Technology/nixos-systems/internal/poll"
	"github.com/Gleipnir-Technology/nixos-systems/internal/prompt"
	"github.com/Gleipnir-Technology/nixos-systems/internal/steps"
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
	name := o.Name
	if name == "" {
		name = images.BaseName(a.Path)
	}
	u := &upload{e: e, o: o, a: a, api: e.imageAPI(), req: images.ImportRequest{
		Name: name, URL: url, Region: e.Settings.Region, Tags: e.Settings.AllTags(),
		Description: fmt.Sprintf("NixOS from %s (sha256 %s), imported by nixos-systems", a.Name(), a.SHA256),
	}}
	if err := runSteps(ctx, e, uploadSteps(), u); err != nil {
		return err
	}
	if err := e.print(false, display.Image(images.Describe(*u.img))); err != nil {
		return err
	}
	fmt.Fprintln(e.Err, hints.AfterUpload(u.img.ID))
	return nil
}

// upload is what the steps of uploadImage share.
type upload struct {
	e   *Env
	o   UploadOptions
	a   images.Artifact
	api images.API
	req images.ImportRequest
	img *godo.Image // the import, once made or found
}

// uploadSteps publish the file, check that DigitalOcean can fetch it,
// import it unless it was imported before, and wait until it is available.
func uploadSteps() []steps.Step[*upload] {
	return []steps.Step[*upload]{
		{
			// Always: rsync sends only what changed, and a file of the same
			// name may hold another build.
			Name: "publish the image with rsync",
			Do: func(ctx context.Context, u *upload) error {
				fmt.Fprintf(u.e.Err, "publishing %s (%d bytes, sha256 %s) to %s\n", u.a.Path, u.a.Size, u.a.SHA256, u.e.Settings.PublishDest)
				return images.Publish(ctx, u.a.Path, images.PublishOptions{Dest: u.e.Settings.PublishDest, SSH: u.o.SSH, Progress: u.e.Err})
			},
		},
		{
			Name:     "check that its URL answers HEAD with its length",
			ReadOnly: true,
			Do: func(ctx context.Context, u *upload) error {
				fmt.Fprintf(u.e.Err, "checking that %s answers HEAD with its length, as DigitalOcean's import needs\n", u.req.URL)
				return images.CheckURL(ctx, nil, u.req.URL, u.a.Size)
			},
		},
		{
			Name: "import it into DigitalOcean",
			Done: func(ctx context.Context, u *upload) (bool, error) {
				img, err := images.FindImport(ctx, u.api, u.req)
				if img != nil {
					u.img = img
					fmt.Fprintf(u.e.Err, "this file was imported before as image %d (%s); using it instead of importing again\n", img.ID, img.Status)
				}
				return img != nil, err
			},
			Do: func(ctx context.Context, u *upload) (err error) {
				if u.img, err = images.Import(ctx, u.api, u.req); err != nil {
					return err
				}
				fmt.Fprintf(u.e.Err, "importing %s as image %d in %s; DigitalOcean fetches and converts it, which takes minutes\n", u.req.Name, u.img.ID, u.req.Region)
				return nil
			},
		},
		{
			Name:     "wait until the image is available",
			ReadOnly: true,
			Do: func(ctx context.Context, u *upload) (err error) {
				u.img, err = images.WaitAvailable(ctx, u.api, u.img.ID, poll.Pace{
					Timeout: u.o.Timeout, FirstPoll: u.e.Wait.FirstPoll, MaxPoll: u.e.Wait.MaxPoll, Log: u.e.Err,
				})
				return err
			},
		},
	}
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
