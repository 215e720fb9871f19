{
  description = "Gleipnir Technology: DigitalOcean droplets turned into NixOS (nixos-anywhere, custom image, nixos-infect)";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.11";

    disko = {
      url = "github:nix-community/disko";
      inputs.nixpkgs.follows = "nixpkgs";
    };

    # A release, so `nix run .#nixos-anywhere` is the same program for everyone.
    nixos-anywhere = {
      url = "github:nix-community/nixos-anywhere/1.13.0";
      inputs = {
        nixpkgs.follows = "nixpkgs";
        disko.follows = "disko";
        nixos-stable.follows = "nixpkgs";
        # Used only by nixos-anywhere's own tests and formatter; "" points them
        # at this flake, so they are never fetched.
        nixos-images.follows = "";
        nix-vm-test.follows = "";
        treefmt-nix.follows = "";
      };
    };

    # Deploys to the hosts of hosts/ (`mage deploy`): upstream master of
    # 2026-02-02, the last before our nixpkgs pin (see flake.lock).
    deploy-rs = {
      url = "github:serokell/deploy-rs";
      inputs = {
        nixpkgs.follows = "nixpkgs";
        # Used only by deploy-rs's default.nix and shell.nix, for users
        # without flakes; "" points it at this flake, so it is never fetched.
        flake-compat.follows = "";
      };
    };
  };

  outputs =
    {
      self,
      nixpkgs,
      disko,
      nixos-anywhere,
      deploy-rs,
    }:
    let
      inherit (nixpkgs) lib;
      forAllSystems = lib.genAttrs [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ];
      pkgsLinux = nixpkgs.legacyPackages.x86_64-linux;
      platform = {
        nixpkgs.hostPlatform = "x86_64-linux";
      };

      # The hosts of a hosts/ folder: each is the shared profile of the route
      # that installed it plus its own folder (hosts/default.nix).
      hostsFrom =
        dir:
        import ./hosts {
          inherit dir;
          inherit (nixpkgs.lib) nixosSystem;
          activateNixos = deploy-rs.lib.x86_64-linux.activate.nixos;
          profiles = {
            anywhere = [
              disko.nixosModules.disko
              ./nixos-anywhere/configuration.nix
              platform
            ];
            infect = [
              ./nixos-infect/configuration.nix
              platform
            ];
          };
        };
      hosts = hostsFrom ./hosts;
    in
    {
      nixosConfigurations = {
        # Route 1: `nixos-anywhere --flake .#digitalocean --target-host
        # root@<ip>` installs this on a droplet that is not a host yet; its
        # host entry then makes it nixosConfigurations.<name>, the same
        # system plus its names. Tested on 2 GB droplets; 1 GB ones lack
        # the RAM for kexec.
        digitalocean = nixpkgs.lib.nixosSystem {
          modules = [
            disko.nixosModules.disko
            ./nixos-anywhere/configuration.nix
            ./nixos-anywhere/disk-config.nix
            platform
          ];
        };
      }
      // hosts.nixosConfigurations;

      # `mage deploy` runs deploy-rs on these, one host at a time per run.
      deploy.nodes = hosts.deployNodes;

      packages = forAllSystems (
        system:
        {
          inherit (nixos-anywhere.packages.${system}) nixos-anywhere;
          # `nix run .#deploy-rs`: the deploy-rs of flake.lock, built with our nixpkgs.
          inherit (deploy-rs.packages.${system}) deploy-rs;
        }
        // lib.optionalAttrs (system == "x86_64-linux") {
          # Route 2: the custom image; one definition, shared with nix-build.
          digitalocean-image = import ./digitalocean/custom-image.nix {
            inherit nixpkgs system;
          };
        }
      );

      devShells = forAllSystems (
        system:
        let
          pkgs = nixpkgs.legacyPackages.${system};
          # go.mod says `go 1.25.0`; nixos-25.11's default `go` is go_1_25 too,
          # named here so that a nixpkgs update cannot change it unnoticed.
          go = pkgs.go_1_25;
        in
        {
          default = pkgs.mkShell {
            packages = [
              go
              pkgs.gopls
              pkgs.gotools
              pkgs.golangci-lint
              pkgs.doctl
              pkgs.nix
              self.packages.${system}.nixos-anywhere
              pkgs.openssh
              pkgs.rsync
              pkgs.shellcheck
              pkgs.nixfmt
              pkgs.yamllint
              pkgs.jq
              pkgs.curl
            ];
            # Never download another Go toolchain: use the one above.
            GOTOOLCHAIN = "local";
            # `mage` is bin/mage of the working tree: go.mod's pin of mage,
            # compiled once and rebuilt when a Go file changes (nixpkgs
            # packages another mage version, and `go tool mage` recompiles on
            # every run).
            shellHook = ''
              export PATH="$(git rev-parse --show-toplevel 2>/dev/null || pwd)/bin:$PATH"
            '';
          };
        }
      );

      # nixfmt (RFC 166 style; `nixfmt-rfc-style` is now an alias of it) over
      # the whole tree, as `nix fmt` expects.
      formatter = forAllSystems (system: nixpkgs.legacyPackages.${system}.nixfmt-tree);

      checks.x86_64-linux = {
        digitalocean = self.nixosConfigurations.digitalocean.config.system.build.toplevel;
        formatting =
          pkgsLinux.runCommand "nixfmt-check"
            {
              nativeBuildInputs = [ pkgsLinux.nixfmt ];
              src = lib.fileset.toSource {
                root = ./.;
                fileset = lib.fileset.fileFilter (file: file.hasExt "nix") ./.;
              };
            }
            ''
              cd "$src"
              find . -name '*.nix' -print0 | xargs -0 nixfmt --check
              touch "$out"
            '';
      }
      # The checks that .ci/nix-checks runs offline with stubs, here against
      # the real nixpkgs and disko (nix/checks/real.nix); each builds when it
      # finds no problem, and prints the problems when it does.
      // lib.mapAttrs (
        name: problems:
        pkgsLinux.runCommand "nix-check-${name}" { problems = lib.concatLines problems; } ''
          if [ -n "$problems" ]; then
            printf '%s' "$problems" >&2
            exit 1
          fi
          touch "$out"
        ''
      ) (import ./nix/checks/real.nix { inherit self nixpkgs hostsFrom; })
      # deploy-rs's own checks of deploy.nodes: the schema, and an activation
      # script in every profile.
      // deploy-rs.lib.x86_64-linux.deployChecks self.deploy;
    };
}
