#!/usr/bin/env bash
# Creates the droplet described by digitalocean/settings.env with doctl, for
# those who prefer doctl to `mage create`. Environment variables of the same
# names override the file, as they do for mage. `mage create` does more:
# it checks the size and image first, never makes a duplicate and waits for SSH.
set -euo pipefail

settings=${SETTINGS_FILE:-"$(dirname "$0")/settings.env"}
while IFS= read -r line || [ -n "$line" ]; do
  case $line in '' | '#'*) continue ;; esac
  key=${line%%=*}
  value=${line#*=}
  # An exported variable wins over the file.
  if [ -z "${!key:-}" ]; then
    printf -v "$key" '%s' "$value"
  fi
done <"$settings"

args=(
  compute droplet create "$DROPLET_NAME"
  --region "$DROPLET_REGION"
  --size "$DROPLET_SIZE"
  --image "$DROPLET_IMAGE"
  --tag-names "${DROPLET_TAGS:+$DROPLET_TAGS,}nixos-systems"
  --wait
)
if [ "$DROPLET_IPV6" = true ]; then args+=(--enable-ipv6); fi
if [ -n "$DROPLET_PROJECT" ]; then args+=(--project-id "$DROPLET_PROJECT"); fi
if [ -n "$DROPLET_SSH_KEYS" ]; then
  args+=(--ssh-keys "$DROPLET_SSH_KEYS")
else
  args+=(--ssh-keys "$(doctl compute ssh-key list --format ID --no-header | paste -sd, -)")
fi
exec doctl "${args[@]}" "$@"
