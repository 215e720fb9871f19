# Each check, given what it looks at with one thing broken, must report a
# problem; otherwise a check that can no longer fail would pass unnoticed.
# A problem here names the check that found nothing.
{
  checks,
  flake,
  lock,
  droplet,
  imageConfig,
  keysFile,
  rev,
}:
let
  inherit (builtins) filter map;
  lockedNixpkgs = lock.nodes.nixpkgs;
  withoutRev = lock // {
    nodes = lock.nodes // {
      nixpkgs = lockedNixpkgs // {
        locked = removeAttrs lockedNixpkgs.locked [ "rev" ];
      };
    };
  };
  devices = droplet.disko.devices;
  onVdb = devices // {
    disk = builtins.mapAttrs (_: d: d // { device = "/dev/vdb"; }) devices.disk;
  };
  planted = [
    {
      what = "flake-lock, nixpkgs without locked.rev";
      problems = checks.flake-lock {
        inherit flake;
        lock = withoutRev;
      };
    }
    {
      what = "flake-outputs, no outputs";
      problems = checks.flake-outputs { };
    }
    {
      what = "disk-layout, the disk on /dev/vdb";
      problems = checks.disk-layout onVdb;
    }
    {
      what = "droplet-system, DHCP on";
      problems = checks.droplet-system {
        config = droplet // {
          networking.useDHCP = true;
        };
        inherit keysFile;
      };
    }
    {
      what = "custom-image, no configFile";
      problems = checks.custom-image {
        config = imageConfig // {
          virtualisation = imageConfig.virtualisation // {
            digitalOceanImage = imageConfig.virtualisation.digitalOceanImage // {
              configFile = null;
            };
          };
        };
        inherit rev;
        date = imageConfig.system.nixos.versionSuffix or "";
      };
    }
    {
      what = "authorized-keys, a line that is no key";
      problems = checks.authorized-keys "ssh-dss AAAAB3NzaC1kc3M= old@host\n";
    }
  ];
in
map (p: "${p.what}: no problem found") (filter (p: p.problems == [ ]) planted)
