# Every folder beside this file is a host: hosts/<name>/host.json says what
# differs for it, next to the files its route left (see ../README.md, "Hosts
# and deploys"). This turns the folders into the flake's
# nixosConfigurations.<name> and deploy.nodes.<name>, so adding a host is
# adding a folder. `mage anywhere` and `mage infect` write the folders.
#
# Builtins only, so that .ci/nix-checks evaluates it offline with stubs
# (nix/checks/hosts.nix); the flake passes the real functions.
{
  # The folder to read; a test passes another.
  dir ? ./.,
  # nixpkgs.lib.nixosSystem.
  nixosSystem,
  # deploy-rs.lib.x86_64-linux.activate.nixos.
  activateNixos,
  # route name -> the modules every host of that route starts from.
  profiles,
}:
let
  inherit (builtins)
    attrNames
    filter
    fromJSON
    listToAttrs
    mapAttrs
    readDir
    readFile
    substring
    ;
  entries = readDir dir;
  # A name starting with a dot is a folder the tool has yet to rename.
  names = filter (n: entries.${n} == "directory" && substring 0 1 n != ".") (attrNames entries);

  # The files of each route's folder that are modules, as the tool writes them.
  routeModules = {
    anywhere = [ "disk-config.nix" ];
    infect = [
      "hardware-configuration.nix"
      "networking.nix"
    ];
  };

  read =
    name:
    let
      host = fromJSON (readFile (dir + "/${name}/host.json")) // {
        inherit name;
      };
    in
    if !(profiles ? ${host.route or ""}) || !(routeModules ? ${host.route}) then
      throw "hosts/${name}/host.json: route ${
        builtins.toJSON (host.route or null)
      } is not one of ${builtins.toJSON (attrNames profiles)}"
    else
      host;

  hosts = listToAttrs (
    map (name: {
      inherit name;
      value = read name;
    }) names
  );

  # What host.json says, as NixOS options.
  hostModule = host: {
    networking.hostName = host.hostname;
    networking.domain = host.domain or null;
    system.stateVersion = host.stateVersion;
  };

  modules =
    host:
    profiles.${host.route}
    ++ map (f: dir + "/${host.name}/${f}") routeModules.${host.route}
    ++ [ (hostModule host) ];

  nixosConfigurations = mapAttrs (_: host: nixosSystem { modules = modules host; }) hosts;
in
{
  inherit hosts nixosConfigurations;

  # deploy-rs's nodes: root logs in at the host's address; magic rollback
  # (the host rolls back unless the deployer reaches it again after the
  # switch) and auto rollback (a failed activation rolls back) are on.
  deployNodes = mapAttrs (name: host: {
    hostname = host.address;
    sshUser = "root";
    magicRollback = true;
    autoRollback = true;
    profiles.system = {
      user = "root";
      path = activateNixos nixosConfigurations.${name};
    };
  }) hosts;
}
