# The custom image (digitalocean/custom-image.nix) is labelled with the
# nixpkgs it was built from, carries the shared SSH keys, and rebuilds as
# itself: its /etc/nixos/configuration.nix is digitalocean/
# image-configuration.nix, and the keys file that configuration reads beside
# itself is put beside it in /etc/nixos. User data does not rebuild it: that
# configuration does not import the do-userdata.nix the rebuild would read.
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
  configFile = toString (image.configFile or null);
  keysBeside = "${dirOf configFile}/authorized_keys";
  keyFiles = map toString (config.users.users.root.openssh.authorizedKeys.keyFiles or [ ]);
  etcKeys = toString (config.environment.etc."nixos/authorized_keys".source or null);
  # The module system elaborates hostPlatform into an attribute set.
  platform = config.nixpkgs.hostPlatform or null;
  system = if isAttrs platform then platform.system else platform;
  wantConfig = "image-configuration.nix";
  nixos = config.system.nixos or { };
  features = config.nix.settings.experimental-features or [ ];
  do = config.virtualisation.digitalOcean or { };
in
expect "nixpkgs.hostPlatform" system "x86_64-linux"
++ expect "configFile (/etc/nixos/configuration.nix)" (baseNameOf configFile) wantConfig
++ includes "root's authorizedKeys.keyFiles" keyFiles [ keysBeside ]
++ expect "environment.etc.\"nixos/authorized_keys\".source" etcKeys keysBeside
++ expect "digitalOceanImage.compressionMethod" (image.compressionMethod or null) "gzip"
++ expect "virtualisation.diskSize" (config.virtualisation.diskSize or null) "auto"
++ expect "system.nixos.revision" (nixos.revision or null) rev
++ expect "system.nixos.versionSuffix" (nixos.versionSuffix or null) ".${date}.${substring 0 7 rev}"
++ expect "virtualisation.digitalOcean.rebuildFromUserData" (do.rebuildFromUserData or null) false
++ expect "system.stateVersion" (config.system.stateVersion or null) "25.11"
++ includes "nix.settings.experimental-features" features [
  "nix-command"
  "flakes"
]
