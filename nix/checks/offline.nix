# The checks of ./default.nix evaluated offline, where CI runs them: Debian's
# Nix 2.8, no store, no nixpkgs, no disko (.ci/nix-checks). What stands in
# for the missing parts, and what that cannot catch:
#   - the modules of this repository are called with a stub `lib` and merged
#     by ./offline-modules.nix: the checks see the values our files set, but
#     not option names, types or priorities (mkDefault and mkForce return
#     their argument), nor what nixpkgs' and disko's modules add;
#   - digitalocean/custom-image.nix runs with fetchTarball and nixpkgs'
#     eval-config.nix replaced by stubs that record their arguments;
#   - flake.nix's outputs are called with stub inputs and only their names
#     are looked at;
#   - hosts/default.nix runs with a stub nixosSystem (a system is its
#     modules' definitions merged, as above) and a stub deploy-rs activation,
#     on hosts/ and on the test hosts of ./testdata/hosts; the route profiles
#     are given here, so flake.nix's own list of them is checked only by the
#     flake's checks.
# The flake's checks (./real.nix) evaluate the same check files against the
# real nixpkgs and disko, where a wrong option name or type does fail.
#
# lockDate: the date (YYYYMMDD) of the nixpkgs in flake.lock, computed by
# date(1) rather than by the code under test; `nixpkgsLastModified` below is
# its input.
{
  lockDate ? null,
}:
let
  inherit (builtins)
    attrNames
    concatMap
    concatStringsSep
    elemAt
    filter
    fromJSON
    isFunction
    length
    listToAttrs
    map
    mapAttrs
    readFile
    toJSON
    ;
  inherit (import ./lib.nix) expect require;
  checks = import ./default.nix;
  modules = import ./offline-modules.nix;
  root = ../..;

  flake = import (root + "/flake.nix");
  lock = fromJSON (readFile (root + "/flake.lock"));
  locked = lock.nodes.${lock.nodes.${lock.root}.inputs.nixpkgs}.locked;
  keysFile = root + "/digitalocean/authorized_keys";

  # nixosConfigurations.digitalocean's modules from nixos-anywhere/, called
  # and merged as described above.
  droplet = modules.eval [
    (root + "/nixos-anywhere/configuration.nix")
    (root + "/nixos-anywhere/disk-config.nix")
  ];

  # hosts/default.nix for a folder, with stubs.
  hostsOf =
    dir:
    import (root + "/hosts") {
      inherit dir;
      nixosSystem = args: { config = modules.evalModules args.modules; };
      activateNixos = system: { activates = system; };
      profiles = {
        anywhere = [ (root + "/nixos-anywhere/configuration.nix") ];
        infect = [ (root + "/nixos-infect/configuration.nix") ];
      };
    };
  hostsCheck =
    m:
    checks.hosts {
      inherit (m) hosts;
      configs = mapAttrs (_: system: system.config) m.nixosConfigurations;
      nodes = m.deployNodes;
      inherit keysFile;
    }
    # Offline only: each node activates its own host's system.
    ++ concatMap (
      name:
      expect "hostname of the system deploy.nodes.${name} activates"
        (m.deployNodes.${name}.profiles.system.path.activates.config.networking.hostName or null)
        m.hosts.${name}.hostname
    ) (attrNames m.hosts);
  testHosts = hostsOf ./testdata/hosts;

  # digitalocean/custom-image.nix with nixpkgs' parts stubbed out.
  fetched = "/fetched/${locked.narHash}";
  image = scopedImport {
    builtins = builtins // {
      fetchTarball =
        a:
        if
          a.url == "https://github.com/${locked.owner}/${locked.repo}/archive/${locked.rev}.tar.gz"
          && a.sha256 == locked.narHash
        then
          fetched
        else
          throw "fetchTarball called with ${toJSON a}, not the nixpkgs of flake.lock";
    };
    import =
      path:
      if toString path == "${fetched}/nixos/lib/eval-config.nix" then
        args: { config.system.build.digitalOceanImage = args; }
      else
        import path;
  } (root + "/digitalocean/custom-image.nix") { };
  evalConfigArgs = image.config.system.build.digitalOceanImage;
  imageModule = "${fetched}/nixos/modules/virtualisation/digital-ocean-image.nix";
  doConfig = "${modules.modulesPath}/virtualisation/digital-ocean-config.nix";
  imageModules = evalConfigArgs.modules or [ ];
  imageConfig = modules.merge (modules.eval [ (elemAt imageModules 1) ]) (
    modules.call (elemAt imageModules 2)
  );

  # flake.nix's outputs with stub inputs.
  stubInput = {
    outPath = "/stub";
    lib = modules.stubLib;
  };
  outputs = flake.outputs {
    self = outputs;
    nixpkgs = stubInput;
    disko = stubInput;
    nixos-anywhere = stubInput;
    deploy-rs = {
      outPath = "/stub";
      # What flake.nix calls; deployChecks returns the checks it has at the pin.
      lib.x86_64-linux = {
        activate.nixos = system: system;
        deployChecks = deploy: {
          deploy-schema = deploy;
          deploy-activate = deploy;
        };
      };
    };
  };

  results = [
    {
      name = "flake-lock";
      what = "flake.lock: version 7, inputs and follows of flake.nix, every node pinned";
      problems = checks.flake-lock { inherit flake lock; };
    }
    {
      name = "flake-outputs";
      what = "flake.nix outputs that the tools and README use";
      problems = checks.flake-outputs outputs;
    }
    {
      name = "disk-layout";
      what = "nixos-anywhere/disk-config.nix: /dev/vda, 1M EF02, 500M ESP /boot, LVM root /";
      problems = checks.disk-layout droplet.disko.devices;
    }
    {
      name = "droplet-system";
      what = "nixos-anywhere/*.nix: keys, config-drive networking, cloud-init modules, GRUB";
      problems =
        checks.droplet-system {
          config = droplet;
          inherit keysFile;
        }
        # Offline only: in the flake, a module that is not imported leaves
        # its options undeclared, and setting them fails the evaluation.
        ++ expect "modules of nixosConfigurations.digitalocean" (map toString droplet.files) (
          map toString [
            (root + "/nixos-anywhere/configuration.nix")
            (root + "/nixos-anywhere/disk-config.nix")
            (root + "/nixos-anywhere/digitalocean.nix")
          ]
        )
        ++ expect "nixpkgs modules of nixos-anywhere/*.nix" droplet.external [ doConfig ];
    }
    {
      name = "custom-image";
      what = "digitalocean/custom-image.nix: pinned nixpkgs, label, keys, rebuilds as itself";
      problems =
        require (lockDate != null) "no lockDate given (see .ci/nix-checks)"
        ++ checks.custom-image {
          config = imageConfig;
          inherit (locked) rev;
          date = lockDate;
        }
        # Offline only: the flake passes its own nixpkgs input instead.
        ++ expect "eval-config system argument" (evalConfigArgs.system or "unset") null
        ++ expect "number of image modules" (length imageModules) 3
        ++ expect "first image module" (toString (elemAt imageModules 0)) imageModule
        ++ expect "nixpkgs modules of digitalocean/image-configuration.nix" imageConfig.external [
          doConfig
        ];
    }
    {
      name = "authorized-keys";
      what = "digitalocean/authorized_keys: OpenSSH authorized_keys format";
      problems = checks.authorized-keys (readFile keysFile);
    }
    {
      name = "hosts";
      what = "hosts/: each folder a nixosConfiguration and a deploy node (${
        toString (length (attrNames (hostsOf (root + "/hosts")).hosts))
      } hosts)";
      problems = hostsCheck (hostsOf (root + "/hosts"));
    }
    {
      name = "hosts-mapping";
      what = "hosts/default.nix on the test hosts of nix/checks/testdata/hosts (anywhere, infect)";
      problems =
        hostsCheck testHosts
        ++ expect "test hosts" (attrNames testHosts.hosts) [
          "cheap1.example.com"
          "web1"
        ];
    }
    {
      name = "checks-fail";
      what = "each check above finds a problem planted in what it looks at";
      problems = import ./planted.nix {
        inherit
          checks
          flake
          lock
          droplet
          imageConfig
          keysFile
          testHosts
          ;
        inherit (locked) rev;
      };
    }
  ];

  failed = filter (r: r.problems != [ ]) results;
  line =
    r:
    if r.problems == [ ] then
      "ok    ${r.what}"
    else
      concatStringsSep "\n" ([ "FAIL  ${r.what}" ] ++ map (p: "      ${p}") r.problems);
in
{
  nixpkgsLastModified = locked.lastModified;
  failed = length failed;
  report = concatStringsSep "\n" (map line results) + "\n";
  problems = listToAttrs (
    map (r: {
      inherit (r) name;
      value = r.problems;
    }) results
  );
}
