# The system nixos-anywhere installs (nixosConfigurations.digitalocean, from
# nixos-anywhere/configuration.nix and digitalocean.nix) keeps what route 1
# relies on: root's keys from the shared file; addresses from the config
# drive through cloud-init on every boot, not DHCP; cloud-init running only
# modules that work on NixOS (in particular not `ssh`, which deletes the
# host keys that --copy-host-keys kept); nothing rebuilt from user data;
# no growpart service (it cannot grow an LVM root and fails every boot);
# GRUB for BIOS and UEFI, installed on /dev/vda once.
#
# config: the system's configuration (the evaluated config in the flake; the
# modules' own definitions merged, offline).
# keysFile: digitalocean/authorized_keys.
{ config, keysFile }:
let
  inherit (import ./lib.nix) expect includes;
  keyFiles = map toString (config.users.users.root.openssh.authorizedKeys.keyFiles or [ ]);
  features = config.nix.settings.experimental-features or [ ];
  cloudInit = config.services.cloud-init or { };
  settings = cloudInit.settings or { };
  do = config.virtualisation.digitalOcean or { };
  grub = config.boot.loader.grub or { };
in
includes "root's authorizedKeys.keyFiles" keyFiles [ (toString keysFile) ]
++ expect "services.openssh.enable" (config.services.openssh.enable or null) true
++ expect "system.stateVersion" (config.system.stateVersion or null) "25.11"
++ includes "nix.settings.experimental-features" features [
  "nix-command"
  "flakes"
]
++ expect "networking.useDHCP" (config.networking.useDHCP or null) false
++ expect "services.cloud-init.enable" (cloudInit.enable or null) true
++ expect "services.cloud-init.network.enable" (cloudInit.network.enable or null) true
++ expect "cloud-init datasource_list" (settings.datasource_list or null) [ "ConfigDrive" ]
++ expect "cloud-init updates.network.when" (settings.updates.network.when or null) [ "boot" ]
++ expect "cloud-init cloud_init_modules" (settings.cloud_init_modules or null) [
  "seed_random"
  "bootcmd"
  "write_files"
  "growpart"
  "resizefs"
  "set_hostname"
  "update_hostname"
]
++ expect "cloud-init cloud_config_modules" (settings.cloud_config_modules or null) [ "runcmd" ]
++ expect "cloud-init cloud_final_modules" (settings.cloud_final_modules or null) [
  "scripts_per_once"
  "scripts_per_boot"
  "scripts_user"
  "final_message"
]
++ expect "virtualisation.digitalOcean.setRootPassword" (do.setRootPassword or null) false
++ expect "virtualisation.digitalOcean.setSshKeys" (do.setSshKeys or null) false
++ expect "virtualisation.digitalOcean.rebuildFromUserData" (do.rebuildFromUserData or null) false
++ expect "boot.growPartition" (config.boot.growPartition or null) false
++ expect "boot.loader.grub.efiSupport" (grub.efiSupport or null) true
++ expect "boot.loader.grub.efiInstallAsRemovable" (grub.efiInstallAsRemovable or null) true
++ expect "boot.loader.grub.devices" (grub.devices or null) [ "/dev/vda" ]
