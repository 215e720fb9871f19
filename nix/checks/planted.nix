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
  testHosts,
  rev,
}:
let
  inherit (builtins) filter map substring;
  lockedNixpkgs = lock.nodes.nixpkgs;
  withoutRev = lock // {
    nodes = lock.nodes // {
      nixpkgs = lockedNixpkgs // {
        locked = removeAttrs lockedNixpkgs.locked [ "rev" ];
      };
    };
  };
  # deploy-rs bringing its own nixpkgs instead of following ours.
  twoNixpkgs = lock // {
    nodes = lock.nodes // {
      nixpkgs_2 = lockedNixpkgs;
      deploy-rs = lock.nodes.deploy-rs // {
        inputs = lock.nodes.deploy-rs.inputs // {
          nixpkgs = "nixpkgs_2";
        };
      };
    };
  };
  # The date the image's label carries (".YYYYMMDD.abcdef0"), so that a
  # planted fault is the image check's only problem.
  imageDate = substring 1 8 (imageConfig.system.nixos.versionSuffix or "");
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
      what = "droplet-system, network configured on the first boot only";
      problems = checks.droplet-system {
        config = droplet // {
          services = droplet.services // {
            cloud-init = droplet.services.cloud-init // {
              settings = removeAttrs droplet.services.cloud-init.settings [ "updates" ];
            };
          };
        };
        inherit keysFile;
      };
    }
    {
      what = "droplet-system, growpart on";
      problems = checks.droplet-system {
        config = droplet // {
          boot = droplet.boot // {
            growPartition = true;
          };
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
        date = imageDate;
      };
    }
    {
      what = "custom-image, rebuilt from user data";
      problems = checks.custom-image {
        config = imageConfig // {
          virtualisation = imageConfig.virtualisation // {
            digitalOcean = {
              rebuildFromUserData = true;
            };
          };
        };
        inherit rev;
        date = imageDate;
      };
    }
    {
      what = "flake-lock, deploy-rs with a nixpkgs of its own";
      problems = checks.flake-lock {
        inherit flake;
        lock = twoNixpkgs;
      };
    }
    {
      what = "hosts, a deploy node at another address";
      problems = checks.hosts {
        inherit (testHosts) hosts;
        configs = builtins.mapAttrs (_: system: system.config) testHosts.nixosConfigurations;
        nodes = testHosts.deployNodes // {
          web1 = testHosts.deployNodes.web1 // {
            hostname = "192.0.2.1";
          };
        };
        inherit keysFile;
      };
    }
    {
      what = "authorized-keys, a line that is no key";
      problems = checks.authorized-keys "ssh-dss AAAAB3NzaC1kc3M= old@host\n";
    }
  ];
in
map (p: "${p.what}: no problem found") (filter (p: p.problems == [ ]) planted)
