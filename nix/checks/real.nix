# The checks of ./default.nix evaluated against the real nixpkgs and disko,
# as the flake's `checks`: here the modules go through the module system, so
# a wrong option name or type, or a value that another module overrides,
# fails. ./offline.nix runs the same check files with stubs.
#
# self: this flake; nixpkgs: its nixpkgs input; hostsFrom: flake.nix's
# hosts/default.nix with the real nixosSystem and deploy-rs, for a folder.
{
  self,
  nixpkgs,
  hostsFrom,
}:
let
  inherit (builtins)
    fromJSON
    mapAttrs
    readFile
    substring
    ;
  checks = import ./default.nix;
  droplet = self.nixosConfigurations.digitalocean.config;
  keysFile = ../../digitalocean/authorized_keys;
in
{
  flake-lock = checks.flake-lock {
    flake = import ../../flake.nix;
    lock = fromJSON (readFile ../../flake.lock);
  };
  flake-outputs = checks.flake-outputs self;
  disk-layout = checks.disk-layout droplet.disko.devices;
  droplet-system = checks.droplet-system {
    config = droplet;
    inherit keysFile;
  };
  custom-image = checks.custom-image {
    inherit (self.packages.x86_64-linux.digitalocean-image) config;
    inherit (nixpkgs) rev;
    date = substring 0 8 nixpkgs.lastModifiedDate;
  };
  authorized-keys = checks.authorized-keys (readFile keysFile);
  # The hosts of hosts/, as the flake exposes them, and the test hosts of
  # ./testdata/hosts through the same function, so that the mapping meets
  # the real module system even while hosts/ is empty.
  hosts =
    checks.hosts {
      hosts = (hostsFrom ../../hosts).hosts;
      configs = mapAttrs (_: system: system.config) self.nixosConfigurations;
      nodes = self.deploy.nodes;
      inherit keysFile;
    }
    ++ (
      let
        test = hostsFrom ./testdata/hosts;
      in
      checks.hosts {
        inherit (test) hosts;
        configs = mapAttrs (_: system: system.config) test.nixosConfigurations;
        nodes = test.deployNodes;
        inherit keysFile;
      }
    );
}
