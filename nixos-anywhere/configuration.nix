# The NixOS system that nixos-anywhere installs on a droplet, without its
# disk layout: nixosConfigurations.digitalocean in ../flake.nix adds
# ./disk-config.nix (and disko's module); each host the route installed adds
# the copy of the layout its folder keeps (hosts/<name>/disk-config.nix), so
# a later change of the layout here never touches an installed disk.
{ lib, pkgs, ... }:
let
  # The one list of SSH keys that all three routes share (custom image and
  # nixos-infect read the same file).
  authorizedKeys = ../digitalocean/authorized_keys;
  keyLines = lib.filter (line: builtins.match "[[:space:]]*(#.*)?" line == null) (
    lib.splitString "\n" (builtins.readFile authorizedKeys)
  );
in
{
  imports = [ ./digitalocean.nix ];

  services.openssh.enable = true;
  users.users.root.openssh.authorizedKeys.keyFiles = [ authorizedKeys ];
  # Not an assertion, so that the flake still evaluates and builds in CI; the
  # Go tool refuses to install while the file holds no key.
  warnings = lib.optional (keyLines == [ ]) ''
    digitalocean/authorized_keys holds no public key: the installed droplet
    would accept no SSH login. Add your keys there (one per line).
  '';

  nix.settings.experimental-features = [
    "nix-command"
    "flakes"
  ];

  environment.systemPackages = map lib.lowPrio [
    pkgs.curl
    pkgs.gitMinimal
  ];

  # What a new install gets; each host's entry records the value it got.
  system.stateVersion = lib.mkDefault "25.11";
}
