# What a NixOS droplet needs from DigitalOcean, for the nixos-anywhere route.
# Option names checked against nixos-25.11 (nixos/modules/virtualisation/
# digital-ocean-config.nix, digital-ocean-init.nix, services/system/cloud-init.nix)
# and against nix-community/srvos nixos/hardware/digitalocean/droplet.nix.
{ lib, modulesPath, ... }:
{
  # qemu guest profile, serial console, sshd, do-agent, and the metadata units
  # (hostname from the droplet's name, entropy seed).
  imports = [ (modulesPath + "/virtualisation/digital-ocean-config.nix") ];

  # Droplets made from DigitalOcean's own images get static addresses from the
  # config drive (/dev/vdb), not from DHCP. cloud-init reads them there and
  # writes systemd-networkd units (which also turns on systemd-resolved for
  # the DNS servers). Without this the installed system boots unreachable.
  networking.useDHCP = lib.mkForce false;
  services.cloud-init = {
    enable = true;
    network.enable = true;
    settings = {
      # cloud-init's DigitalOcean datasource is deprecated since 23.2 in favour
      # of ConfigDrive (datasource names are case-sensitive).
      datasource_list = [ "ConfigDrive" ];
      datasource.ConfigDrive = { };
      # By default cloud-init writes the network configuration only on an
      # instance's first boot (default_update_events in cloudinit/sources/
      # __init__.py, 25.2), so a later change of the config drive's network
      # data (IPv6 turned on afterwards) would never be applied. ConfigDrive
      # supports the `boot` event: rewrite it from the config drive on
      # every boot ("Events and updates" in cloud-init's docs).
      updates.network.when = [ "boot" ];
      # Only modules that work on NixOS: no users-groups, ssh (edits
      # sshd_config, deletes and regenerates the host keys that
      # nixos-anywhere --copy-host-keys kept), update_etc_hosts, locale or
      # set_password. These lists replace nixpkgs' defaults (set there with
      # mkDefault, and including `ssh`). Everything else about the system
      # comes from this flake.
      cloud_init_modules = [
        "seed_random"
        "bootcmd"
        "write_files"
        "growpart"
        "resizefs"
        "set_hostname"
        "update_hostname"
      ];
      cloud_config_modules = [ "runcmd" ];
      cloud_final_modules = [
        "scripts_per_once"
        "scripts_per_boot"
        "scripts_user"
        "final_message"
      ];
    };
  };

  # As srvos does: root's keys come only from ../digitalocean/authorized_keys
  # (./configuration.nix), and the system changes by redeploying this flake,
  # never from user data (that path assumes channels and /etc/nixos).
  virtualisation.digitalOcean = {
    setRootPassword = false;
    setSshKeys = false;
    rebuildFromUserData = false;
  };

  # digital-ocean-config.nix turns on boot.growPartition, whose growpart
  # service (nixos/modules/system/boot/grow-partition.nix, nixos-25.11)
  # finds the partition to grow by cutting the digits off the root device:
  # disko's LVM root resolves to /dev/dm-0, so it runs `growpart /dev/dm- 0`,
  # which exits 2, and every boot ends degraded with a failed unit. disko
  # made the LVM partition fill the disk, so there is nothing to grow; after
  # a resize that grows the disk, grow it by hand (growpart /dev/vda 3,
  # pvresize /dev/vda3, lvextend -r -l +100%FREE pool/root): cloud-init's
  # growpart skips a mapped device that is not encrypted.
  boot.growPartition = lib.mkForce false;

  # No fileSystems override is needed: digital-ocean-config.nix sets
  # fileSystems."/" (by-label/nixos) with lib.mkDefault, so disko's
  # definitions from ./disk-config.nix win.

  # GRUB for both firmware types: BIOS through the EF02 partition, UEFI
  # through the fallback path on the ESP (no NVRAM entry needed).
  boot.loader.grub = {
    efiSupport = true;
    efiInstallAsRemovable = true;
    # digital-ocean-config.nix lists /dev/vda and disko adds it again for the
    # EF02 partition; install GRUB there once.
    devices = lib.mkForce [ "/dev/vda" ];
  };
}
