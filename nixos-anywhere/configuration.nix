# The NixOS system that nixos-anywhere installs on a droplet:
# nixosConfigurations.digitalocean in ../flake.nix (together with disko's module).
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
  imports = [
    ./digitalocean.nix
    ./disk-config.nix
  ];

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

  system.stateVersion = "25.11";
}
