package droplets

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/prompt"
	"github.com/Gleipnir-Technology/nixos-systems/internal/settings"
)

// DestroyOptions says how careful Destroy is.
type DestroyOptions struct {
	Yes     bool      // do not ask
	Force   bool      // allow droplets this repo did not make
	Confirm io.Reader // answers to the question; nil = no answer
	Log     io.Writer
	Poll    time.Duration // 0 = 1s
	Timeout time.Duration // 0 = 2m
}

// Resolve finds a droplet by numeric ID or by name.
func Resolve(ctx context.Context, c *godo.Client, nameOrID string) (*godo.Droplet, error) {
	if id, err := strconv.Atoi(nameOrID); err == nil {
		d, _, err := c.Droplets.Get(ctx, id)
		if doapi.IsNotFound(err) {
			return nil, fmt.Errorf("no droplet with ID %d; `mage list` shows this repo's droplets", id)
		}
		if err != nil {
			return nil, fmt.Errorf("read droplet %d: %w", id, doapi.Explain(err))
		}
		return d, nil
	}
	ds, err := listByName(ctx, c, nameOrID)
	if err != nil {
		return nil, err
	}
	switch len(ds) {
	case 0:
		return nil, fmt.Errorf("no droplet named %q; `mage list` shows this repo's droplets", nameOrID)
	case 1:
		return &ds[0], nil
	}
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = strconv.Itoa(d.ID)
	}
	return nil, fmt.Errorf("%d droplets are named %q (IDs %s); name one by ID", len(ds), nameOrID, strings.Join(ids, ", "))
}

// Destroy deletes one droplet and waits until DigitalOcean no longer has it.
func Destroy(ctx context.Context, c *godo.Client, nameOrID string, o DestroyOptions) (*godo.Droplet, error) {
	d, err := Resolve(ctx, c, nameOrID)
	if err != nil {
		return nil, err
	}
	if !Managed(*d) && !o.Force {
		return nil, fmt.Errorf("droplet %s (id %d) was not made by this repo (no tag %s); pass -force to destroy it anyway", d.Name, d.ID, settings.ManagedTag)
	}
	ip, _ := d.PublicIPv4()
	question := fmt.Sprintf("Destroy droplet %s (id %d, %s, %s)? This deletes its disk.", d.Name, d.ID, dash(ip), d.SizeSlug)
	if !o.Yes && !prompt.YesNo(o.Confirm, o.Log, question) {
		return nil, fmt.Errorf("not destroyed: answer y to the question, or pass -yes")
	}
	if _, err := c.Droplets.Delete(ctx, d.ID); err != nil && !doapi.IsNotFound(err) {
		return nil, fmt.Errorf("destroy droplet %d: %w", d.ID, doapi.Explain(err))
	}
	poll, timeout := cmp.Or(o.Poll, time.Second), cmp.Or(o.Timeout, 2*time.Minute)
	deadline := time.Now().Add(timeout)
	for {
		_, _, err := c.Droplets.Get(ctx, d.ID)
		if doapi.IsNotFound(err) {
			return d, nil
		}
		if time.Now().After(deadline) {
			return d, fmt.Errorf("droplet %d still listed %s after the delete; check `mage list` later", d.ID, timeout)
		}
		fmt.Fprintf(o.Log, "waiting for droplet %d to go away\n", d.ID)
		select {
		case <-ctx.Done():
			return d, fmt.Errorf("stopped waiting for droplet %d to go away; the delete was sent, check `mage list`: %w", d.ID, ctx.Err())
		case <-time.After(poll):
		}
	}
}
