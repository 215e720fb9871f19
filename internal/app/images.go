package app

import (
	"context"
	"fmt"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/images"
)

// BuildImage builds the NixOS DigitalOcean image into images/ and prints
// where it is, its size and its hash. Nix's build log goes to Err.
func BuildImage(ctx context.Context, e *Env, o images.BuildOptions) error {
	if o.Log == nil {
		o.Log = e.Err
	}
	a, err := images.Build(ctx, o)
	if err != nil {
		return err
	}
	if err := images.WriteArtifact(e.Out, a); err != nil {
		return err
	}
	fmt.Fprintf(e.Err, "next: mage uploadImage -file=%s\n", a.Path)
	return nil
}

// UploadOptions are the flags of `mage uploadImage`.
type UploadOptions struct {
	File    string        // image file; "" = the newest in images/
	Name    string        // image name at DigitalOcean; "" = the file name without its suffix
	Timeout time.Duration // how long to wait for the import; 0 = 30m
	SSH     string        // rsync's remote shell; "" = ssh with the user's own config
}

// UploadImage publishes an image file on the static host, checks that
// DigitalOcean will be able to fetch it, imports it and waits until it is
// available. Everything that can be checked locally is checked before the
// upload, which takes minutes.
func UploadImage(ctx context.Context, e *Env, o UploadOptions) error {
	file := o.File
	if file == "" {
		var err error
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
	img, err := images.FindImport(ctx, e.Client, req)
	if err != nil {
		return err
	}
	if img != nil {
		fmt.Fprintf(e.Err, "this file was imported before as image %d (%s); using it instead of importing again\n", img.ID, img.Status)
	} else {
		if img, err = images.Import(ctx, e.Client, req); err != nil {
			return err
		}
		fmt.Fprintf(e.Err, "importing %s as image %d in %s; DigitalOcean fetches and converts it, which takes minutes\n", name, img.ID, e.Settings.Region)
	}
	img, err = images.WaitAvailable(ctx, e.Client, img.ID, images.WaitOptions{
		Timeout: o.Timeout, FirstPoll: e.Wait.FirstPoll, MaxPoll: e.Wait.MaxPoll, Log: e.Err,
	})
	if err != nil {
		return err
	}
	if err := images.WriteList(e.Out, []images.Row{images.RowOf(*img)}); err != nil {
		return err
	}
	fmt.Fprintf(e.Err, "next: mage create -image=%d -ipv6=false    (DigitalOcean gives custom-image droplets no IPv6: with IPv6 on it refuses them with 422 \"image is not compatible with ipv6\")\n", img.ID)
	return nil
}

// Images prints the custom images this repo imported and what storing them costs.
func Images(ctx context.Context, e *Env, asJSON bool) error {
	rows, err := images.List(ctx, e.Client)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.Out, rows)
	}
	return images.WriteList(e.Out, rows)
}

// DeleteImage deletes one of this repo's custom images.
func DeleteImage(ctx context.Context, e *Env, id string, yes, force bool) error {
	img, err := images.Delete(ctx, e.Client, id, images.DeleteOptions{Yes: yes, Force: force, Confirm: e.In, Log: e.Err})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Out, "deleted image %s (id %d)\n", img.Name, img.ID)
	return nil
}
