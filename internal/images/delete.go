package images

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
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
	if !o.Yes && !confirm(o, img) {
		return nil, fmt.Errorf("not deleted: answer y to the question, or pass -yes")
	}
	if _, err := c.Images.Delete(ctx, id); err != nil {
		return nil, fmt.Errorf("delete image %d: %w", id, doapi.Explain(err))
	}
	return img, nil
}

func confirm(o DeleteOptions, img *godo.Image) bool {
	if o.Confirm == nil || o.Log == nil {
		return false
	}
	fmt.Fprintf(o.Log, "Delete image %s (id %d, %0.2f GB, $%0.2f/month)? Droplets made from it keep running. [y/N] ",
		img.Name, img.ID, img.SizeGigaBytes, img.SizeGigaBytes*PricePerGBMonth)
	answer, _ := bufio.NewReader(o.Confirm).ReadString('\n')
	answer = strings.ToLower(strings.TrimSpace(answer))
	return answer == "y" || answer == "yes"
}
