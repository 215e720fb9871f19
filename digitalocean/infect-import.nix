# What the nixos-infect route adds to the system nixos-infect writes. The
# one copy of it: the user data (./infect-nixos.yaml) writes this file to
# /etc/nixos/nixos-systems.nix on the droplet, which nixos-infect's
# configuration.nix imports (NIXOS_IMPORT), and the keys to
# /etc/nixos/authorized_keys beside it; the flake's hosts of this route
# import it from here (nixos-infect/configuration.nix), where
# ./authorized_keys is the file all three routes share.
{ lib, ... }:
{
  # The repository's keys. On the droplet they come in addition to the
  # droplet's own, which nixos-infect copies from /root/.ssh/authorized_keys
  # into its configuration.nix.
  users.users.root.openssh.authorizedKeys.keyFiles = [ ./authorized_keys ];
  # Boot messages on the serial port and on the screen that DigitalOcean's
  # recovery console shows; systemd writes to the last.
  boot.kernelParams = [
    "console=ttyS0,115200"
    "console=tty1"
  ];
  # nixos-infect switches by lustration (/etc/NIXOS_LUSTRATE), which only
  # the scripted initrd performs (nixpkgs #357878); keep it on channels
  # where the systemd initrd became the default.
  boot.initrd.systemd.enable = lib.mkDefault false;
}
