# The outputs that the tools and README use exist (more may be added).
#
# outputs: the flake's outputs (self in the flake; offline, the outputs
# function of flake.nix called with stub inputs: only attribute names are
# looked at, so nothing under them is evaluated).
outputs:
let
  inherit (builtins) attrNames;
  inherit (import ./lib.nix) includes;
  systems = [
    "aarch64-darwin"
    "aarch64-linux"
    "x86_64-darwin"
    "x86_64-linux"
  ];
  names = set: attrNames set;
in
includes "nixosConfigurations" (names (outputs.nixosConfigurations or { })) [ "digitalocean" ]
++ includes "packages" (names (outputs.packages or { })) systems
++ includes "packages.x86_64-linux" (names (outputs.packages.x86_64-linux or { })) [
  "digitalocean-image"
  "nixos-anywhere"
  "deploy-rs"
]
++ includes "packages.aarch64-darwin" (names (outputs.packages.aarch64-darwin or { })) [
  "nixos-anywhere"
  "deploy-rs"
]
# `mage deploy`: deploy-rs reads deploy.nodes (one per host, nix/checks/hosts.nix).
++ includes "deploy" (names (outputs.deploy or { })) [ "nodes" ]
++ includes "devShells" (names (outputs.devShells or { })) systems
++ includes "devShells.x86_64-linux" (names (outputs.devShells.x86_64-linux or { })) [ "default" ]
++ includes "formatter" (names (outputs.formatter or { })) systems
# Every check of ./default.nix runs in `nix flake check` too.
++ includes "checks.x86_64-linux" (names (outputs.checks.x86_64-linux or { })) (
  [
    "digitalocean"
    "formatting"
    # deploy-rs's deployChecks.
    "deploy-schema"
    "deploy-activate"
  ]
  ++ attrNames (import ./default.nix)
)
