# The shared part of every host that the nixos-infect route installed
# (hosts/<name>/ with "route": "infect"; hosts/default.nix adds the host's
# own hardware-configuration.nix and networking.nix, which nixos-infect
# generated on the droplet, and its names and stateVersion).
#
# It is what such a droplet was installed with, so that its first deploy
# changes little beyond the nixpkgs revision: the configuration.nix that
# nixos-infect's makeConf writes at the pin of internal/infect/pin.go,
# without its per-host lines, plus the module that the user data
# (digitalocean/infect-nixos.yaml) has it import, the same file here.
{ lib, ... }:
{
  # As the user data adds it: root's keys, the consoles, the scripted
  # initrd. Root's keys come only from the file all routes share: the keys
  # nixos-infect copied from the droplet's /root/.ssh/authorized_keys (the
  # account's keys) are not kept, so make sure yours is in the file
  # (`mage deploy` refuses otherwise).
  imports = [ ../digitalocean/infect-import.nix ];

  # As nixos-infect writes it.
  # Workaround for https://github.com/NixOS/nix/issues/8502
  services.logrotate.checkConfig = false;
  boot.tmp.cleanOnBoot = true;
  zramSwap.enable = true;
  services.openssh.enable = true;

  # Deploys come from this flake from now on.
  nix.settings.experimental-features = [
    "nix-command"
    "flakes"
  ];

  # nixos-infect writes "23.11" whatever the channel; each host's entry
  # records the value its droplet got.
  system.stateVersion = lib.mkDefault "23.11";
}
