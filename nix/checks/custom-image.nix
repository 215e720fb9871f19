# The custom image (digitalocean/custom-image.nix) is labelled with the
# nixpkgs it was built from, carries the shared SSH keys, and rebuilds as
# itself: its /etc/nixos/configuration.nix is digitalocean/
# image-configuration.nix, and the keys file that configuration reads beside
# itself is put beside it in /etc/nixos.
#
# config: the image's configuration (evaluated in the flake; the modules' own
# definitions merged, offline). rev: the nixpkgs revision it was built from;
# date: that revision's date, YYYYMMDD.
{
  config,
  rev,
  date,
}:
let
  inherit (builtins)
    baseNameOf
    dirOf
    isAttrs
    substring
    ;
  inherit (import ./lib.nix) expect includes;
  image = config.virtualisation.digitalOceanImage or { };
  configFile = image.configFile or null;
  keysBeside = "${dirOf (toString configFile)}/authorized_keys";
  platform = config.nixpkgs.hostPlatform or null;
in
# The module system elaborates hostPlatform into an attribute set.
expect "nixpkgs.hostPlatform" (if isAttrs platform then platform.system else platform) "x86_64-linux"
++ expect "configFile (becomes /etc/nixos/configuration.nix)" (baseNameOf (toString configFile)) "image-configuration.nix"
++ includes "root's authorizedKeys.keyFiles" (map toString (
  config.users.users.root.openssh.authorizedKeys.keyFiles or [ ]
)) [ keysBeside ]
++ expect "environment.etc.\"nixos/authorized_keys\".source" (toString (
  config.environment.etc."nixos/authorized_keys".source or null
)) keysBeside
++ expect "virtualisation.digitalOceanImage.compressionMethod" (image.compressionMethod or null) "gzip"
++ expect "virtualisation.diskSize" (config.virtualisation.diskSize or null) "auto"
++ expect "system.nixos.revision" (config.system.nixos.revision or null) rev
++ expect "system.nixos.versionSuffix" (config.system.nixos.versionSuffix or null) ".${date}.${substring 0 7 rev}"
++ expect "system.stateVersion" (config.system.stateVersion or null) "25.11"
++ includes "nix.settings.experimental-features" (config.nix.settings.experimental-features or [ ]) [
  "nix-command"
  "flakes"
]
