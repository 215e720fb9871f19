package droplets

import (
	"context"
	"fmt"
	"strconv"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
)

// Tag puts tag on droplet id, creating the tag first: DigitalOcean tags
// only with a tag that exists. Both requests change nothing when repeated,
// so the client retries them like reads.
func Tag(ctx context.Context, api API, id int, tag string) error {
	if _, _, err := api.Tags.Create(ctx, &godo.TagCreateRequest{Name: tag}); err != nil {
		return fmt.Errorf("create tag %s: %w", tag, doapi.Explain(err))
	}
	if _, err := api.Tags.TagResources(ctx, tag, &godo.TagResourcesRequest{Resources: resources(id)}); err != nil {
		return fmt.Errorf("add tag %s: %w", tag, doapi.Explain(err))
	}
	return nil
}

// Untag takes tag off droplet id; a tag that no longer exists is on no
// droplet.
func Untag(ctx context.Context, api API, id int, tag string) error {
	if _, err := api.Tags.UntagResources(ctx, tag, &godo.UntagResourcesRequest{Resources: resources(id)}); err != nil && !doapi.IsNotFound(err) {
		return fmt.Errorf("remove tag %s: %w", tag, doapi.Explain(err))
	}
	return nil
}

// resources names droplet id in a tag request.
func resources(id int) []godo.Resource {
	return []godo.Resource{{ID: strconv.Itoa(id), Type: godo.DropletResourceType}}
}
