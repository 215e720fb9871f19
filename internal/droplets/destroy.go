package droplets

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/cmdline"
	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/poll"
	"github.com/Gleipnir-Technology/nixos-systems/internal/prompt"
	"github.com/Gleipnir-Technology/nixos-systems/internal/settings"
)

// DestroyOptions says how careful Destroy is and how it waits.
type DestroyOptions struct {
	prompt.Consent
	poll.Pace // defaults: 2m, polling every second
}

// Destroy deletes one droplet and waits until DigitalOcean no longer has it.
func Destroy(ctx context.Context, api API, nameOrID string, o DestroyOptions) (*godo.Droplet, error) {
	d, err := Resolve(ctx, api, nameOrID)
	if err != nil {
		return nil, err
	}
	ip, _ := d.PublicIPv4()
	ch := prompt.Change{
		Override: "destroy it anyway",
		Question: fmt.Sprintf("Destroy droplet %s (id %d, %s, %s)? This deletes its disk.", d.Name, d.ID, cmp.Or(ip, "no address"), d.SizeSlug),
		Refused:  "not destroyed",
	}
	if !Managed(*d) {
		ch.Foreign = fmt.Errorf("droplet %s (id %d) was not made by this repo (no tag %s)", d.Name, d.ID, settings.ManagedTag)
	}
	if err := o.Allow(ch); err != nil {
		return nil, err
	}
	if _, err := api.Droplets.Delete(ctx, d.ID); err != nil && !doapi.IsNotFound(err) {
		return nil, fmt.Errorf("destroy droplet %d: %w", d.ID, doapi.Explain(err))
	}
	p := o.Pace.Or(poll.Pace{Timeout: 2 * time.Minute, FirstPoll: time.Second, Log: o.Out})
	wctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	err = p.Until(wctx, false, func(ctx context.Context) (bool, error) {
		if _, _, err := api.Droplets.Get(ctx, d.ID); doapi.IsNotFound(err) {
			return true, nil
		}
		fmt.Fprintf(p.Log, "waiting for droplet %d to go away\n", d.ID)
		return false, nil
	})
	switch {
	case err == nil:
		return d, nil
	case ctx.Err() != nil:
		return d, ErrDeleteUnconfirmed.Errorf("stopped waiting for droplet %d to go away; the delete was sent: %w", d.ID, ctx.Err())
	}
	return d, ErrDeleteUnconfirmed.Errorf("droplet %d still listed %s after the delete", d.ID, cmdline.Format(p.Timeout))
}
