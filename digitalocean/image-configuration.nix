# The NixOS system of droplets made from the custom image (route 2).
#
# ./custom-image.nix builds the image from this module and puts this file on
# the image as /etc/nixos/configuration.nix
# (virtualisation.digitalOceanImage.configFile), so `nixos-rebuild switch` on
# such a droplet rebuilds this same system, from the nixpkgs channel the image
# carries. Without it nixpkgs puts a default there that imports only
# digital-ocean-config.nix, and a rebuild would drop the keys and settings
# below.
{ modulesPath, ... }:
{
  # qemu guest profile, serial console, sshd, do-agent and the metadata units;
  # nixpkgs' default image configuration imports the same.
  imports = [ (modulesPath + "/virtualisation/digital-ocean-config.nix") ];

  # The one list of SSH keys that all three routes share. DigitalOcean also
  # requires a key at droplet creation; digital-ocean-config.nix copies those
  # into /root/.ssh/authorized_keys on first boot. The file is read beside
  # this one: in digitalocean/ when the image is built, and in /etc/nixos on
  # the droplet, where the line after it puts it.
  users.users.root.openssh.authorizedKeys.keyFiles = [ ./authorized_keys ];
  environment.etc."nixos/authorized_keys".source = ./authorized_keys;

  # digital-ocean-init.nix would, on a droplet whose user data parses as
  # Nix, save it as /etc/nixos/do-userdata.nix and run `nixos-rebuild
  # switch`; nixpkgs' default image configuration imports that file, but
  # this one does not, so the rebuild would ignore the user data and only
  # rebuild this system. As srvos does: off; the system changes by editing
  # this file (and rebuilding) instead.
  virtualisation.digitalOcean.rebuildFromUserData = false;

  nix.settings.experimental-features = [
    "nix-command"
    "flakes"
  ];
  system.stateVersion = "25.11";
}
