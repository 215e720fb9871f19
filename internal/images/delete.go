package images

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/prompt"
	"github.com/Gleipnir-Technology/nixos-systems/internal/settings"
)

// DeleteOptions says how careful Delete is.
type DeleteOptions struct {
	Yes     bool      // do not ask
	Force   bool      // allow images this repo did not import
	Confirm io.Reader // answers to the question; nil = no answer
	Log     io.Writer // where the question goes
}

// Delete deletes the image with the ID idArg after the checks o asks for.
func Delete(ctx context.Context, c *godo.Client, idArg string, o DeleteOptions) (*godo.Image, error) {
	id, err := strconv.Atoi(idArg)
	if err != nil {
		return nil, fmt.Errorf("image ID %q is not a number: `mage images` lists the IDs", idArg)
	}
	img, _, err := c.Images.GetByID(ctx, id)
	if doapi.IsNotFound(err) {
		return nil, fmt.Errorf("no image with ID %d: `mage images` lists this repo's images", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read image %d: %w", id, doapi.Explain(err))
	}
	if !managed(*img) && !o.Force {
		return nil, fmt.Errorf("image %s (id %d) was not imported by this repo (no tag %s); pass -force to delete it anyway", img.Name, id, settings.ManagedTag)
	}
	question := fmt.Sprintf("Delete image %s (id %d, %0.2f GB, $%0.2f/month)? Droplets made from it keep running.",
		img.Name, img.ID, img.SizeGigaBytes, img.SizeGigaBytes*PricePerGBMonth)
	if !o.Yes && !prompt.YesNo(o.Confirm, o.Log, question) {
		return nil, fmt.Errorf("not deleted: answer y to the question, or pass -yes")
	}
	if _, err := c.Images.Delete(ctx, id); err != nil {
		return nil, fmt.Errorf("delete image %d: %w", id, doapi.Explain(err))
	}
	return img, nil
}
