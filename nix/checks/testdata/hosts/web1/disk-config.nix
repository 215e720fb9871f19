# What `mage anywhere` copies here is nixos-anywhere/disk-config.nix as it
# was at the install; this test host takes the current one.
import ../../../../../nixos-anywhere/disk-config.nix
