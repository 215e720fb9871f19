# NixOS image for DigitalOcean's custom-image route: a gzip-compressed qcow2.
#
#   nix-build digitalocean/custom-image.nix   # nixpkgs as pinned in flake.lock
#   nix build .#digitalocean-image            # the same file, through flake.nix
#
# With no argument this file reads ../flake.lock and fetches exactly the
# nixpkgs revision locked there, checked against the lock's narHash; the flake
# passes its own (identical) nixpkgs input. Either way the result is
# result/nixos-image-digital-ocean-<version>-x86_64-linux.qcow2.gz.
# Building runs a VM, so the builder needs KVM.
let
  lock = builtins.fromJSON (builtins.readFile ../flake.lock);
  locked = lock.nodes.${lock.nodes.${lock.root}.inputs.nixpkgs}.locked;

  # Unix time -> "YYYYMMDD" (days-to-civil-date, Howard Hinnant's algorithm),
  # the start of a flake input's lastModifiedDate.
  yyyymmdd =
    seconds:
    let
      z = seconds / 86400 + 719468;
      era = z / 146097;
      doe = z - era * 146097;
      yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
      doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
      mp = (5 * doy + 2) / 153;
      day = doy - (153 * mp + 2) / 5 + 1;
      month = if mp < 10 then mp + 3 else mp - 9;
      year = yoe + era * 400 + (if month <= 2 then 1 else 0);
      pad = n: if n < 10 then "0${toString n}" else toString n;
    in
    "${toString year}${pad month}${pad day}";

  # Shaped like a flake input, so both entry points label the image alike.
  lockedNixpkgs = {
    outPath = builtins.fetchTarball {
      url = "https://github.com/${locked.owner}/${locked.repo}/archive/${locked.rev}.tar.gz";
      sha256 = locked.narHash;
    };
    inherit (locked) rev;
    lastModifiedDate = yyyymmdd locked.lastModified;
  };
in
{
  nixpkgs ? lockedNixpkgs,
  system ? "x86_64-linux",
}:
let
  date = builtins.substring 0 8 nixpkgs.lastModifiedDate;
  shortRev = builtins.substring 0 7 nixpkgs.rev;
  nixos = import "${nixpkgs}/nixos/lib/eval-config.nix" {
    system = null;
    modules = [
      "${nixpkgs}/nixos/modules/virtualisation/digital-ocean-image.nix"
      ./image-configuration.nix
      (
        { lib, ... }:
        {
          nixpkgs.hostPlatform = system;

          # The version label nixpkgs' lib.nixosSystem would set; it also names
          # the image file (25.11.YYYYMMDD.abcdef0 rather than 25.11pre-git).
          system.nixos = lib.optionalAttrs (nixpkgs ? rev) {
            revision = nixpkgs.rev;
            versionSuffix = ".${date}.${shortRev}";
          };

          # /etc/nixos/configuration.nix on the image: the droplet's own system,
          # so that a rebuild there keeps it (see ./image-configuration.nix).
          virtualisation.digitalOceanImage.configFile = ./image-configuration.nix;
          virtualisation.digitalOceanImage.compressionMethod = "gzip";
          # Grow the image to fit the closure; the droplet's disk is larger.
          virtualisation.diskSize = "auto";
        }
      )
    ];
  };
in
# The image; its evaluated configuration rides along for the flake's checks.
nixos.config.system.build.digitalOceanImage // { inherit (nixos) config; }
