package images

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/prompt"
	"github.com/Gleipnir-Technology/nixos-systems/internal/settings"
)

// ParseID reads an image ID as the operator gives it.
func ParseID(s string) (int, error) {
	id, err := strconv.Atoi(s)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return 0, ErrNoSuchImage.Errorf("image ID %s is larger than any ID", s)
	case err != nil:
		return 0, ErrNoSuchImage.Errorf("image ID %q is not a number", s)
	case id <= 0:
		return 0, ErrNoSuchImage.Errorf("no image has ID %d; IDs start at 1", id)
	}
	return id, nil
}

// Delete deletes the image with the ID idArg once consent allows it.
func Delete(ctx context.Context, api API, idArg string, consent prompt.Consent) (*godo.Image, error) {
	id, err := ParseID(idArg)
	if err != nil {
		return nil, err
	}
	img, _, err := api.GetByID(ctx, id)
	if doapi.IsNotFound(err) {
		return nil, ErrNoSuchImage.Errorf("no image with ID %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read image %d: %w", id, doapi.Explain(err))
	}
	ch := prompt.Change{
		Override: "delete it anyway",
		Question: fmt.Sprintf("Delete image %s (id %d, %0.2f GB, $%0.2f/month)? Droplets made from it keep running.",
			img.Name, img.ID, img.SizeGigaBytes, img.SizeGigaBytes*PricePerGBMonth),
		Refused: "not deleted",
	}
	if !managed(*img) {
		ch.Foreign = fmt.Errorf("image %s (id %d) was not imported by this repo (no tag %s)", img.Name, id, settings.ManagedTag)
	}
	if err := consent.Allow(ch); err != nil {
		return nil, err
	}
	// A 404 here is a retried delete whose first answer was lost: the image is gone.
	if _, err := api.Delete(ctx, id); err != nil && !doapi.IsNotFound(err) {
		return nil, fmt.Errorf("delete image %d: %w", id, doapi.Explain(err))
	}
	return img, nil
}
