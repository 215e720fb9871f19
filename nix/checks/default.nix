# The checks of the Nix side of this repository. Each is a function from what
# it looks at to a list of problems; an empty list means it passes. Two
# callers evaluate the same functions:
#   - ./offline.nix, run by .ci/nix-checks with Debian's Nix 2.8, no store
#     and stubs in place of nixpkgs and disko;
#   - ./real.nix, the flake's `checks`, against the real nixpkgs and disko.
{
  flake-lock = import ./flake-lock.nix;
  flake-outputs = import ./flake-outputs.nix;
  disk-layout = import ./disk-layout.nix;
  droplet-system = import ./droplet-system.nix;
  custom-image = import ./custom-image.nix;
  authorized-keys = import ./authorized-keys.nix;
  hosts = import ./hosts.nix;
}
