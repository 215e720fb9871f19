//go:build mage

package main

import (
	"context"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/app"
	"github.com/Gleipnir-Technology/nixos-systems/internal/images"
)

// BuildImage builds the NixOS DigitalOcean image into images/ with Nix; the build boots a VM, so it needs KVM.
func BuildImage(ctx context.Context,
	remote *bool, // a Nix remote builder with the kvm feature builds it: skip the local /dev/kvm check
) error {
	e, err := app.Local()
	if err != nil {
		return err
	}
	return app.BuildImage(ctx, e, images.BuildOptions{Remote: deref(remote)})
}

// UploadImage publishes an image with rsync to IMAGE_PUBLISH_DEST and imports it into DigitalOcean from IMAGE_PUBLIC_URL.
func UploadImage(ctx context.Context,
	file *string, // image file; default the newest in images/
	name *string, // image name at DigitalOcean; default the file name without .qcow2.gz
	timeout *time.Duration, // how long to wait for the import, from 1s to 3h; default 30m
) error {
	e, err := app.FromOS()
	if err != nil {
		return err
	}
	return app.UploadImage(ctx, e, app.UploadOptions{File: deref(file), Name: deref(name), Timeout: deref(timeout)})
}

// Images lists the custom images this repo imported, with what storing them costs each month.
func Images(ctx context.Context,
	json *bool, // print JSON instead of a table
) error {
	e, err := app.FromOS()
	if err != nil {
		return err
	}
	return app.Images(ctx, e, deref(json))
}

// DeleteImage deletes a custom image this repo imported, by ID, after asking.
func DeleteImage(ctx context.Context, id string,
	yes *bool, // do not ask for confirmation
	force *bool, // allow an image this repo did not import
) error {
	e, err := app.FromOS()
	if err != nil {
		return err
	}
	return app.DeleteImage(ctx, e, id, deref(yes), deref(force))
}
