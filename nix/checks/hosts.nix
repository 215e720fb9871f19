# Every folder of a hosts/ directory becomes a host of the flake with what
# its host.json says (hosts/default.nix): nixosConfigurations.<name> with the
# host's names and stateVersion, root's keys from the shared file, and what
# its route left (anywhere: its disk layout, checked as the route's layout;
# infect: nixos-infect's root file system, boot loader and static network,
# and what the route's import added: consoles, the scripted initrd);
# and deploy.nodes.<name> logging in as root at the host's address with magic
# and auto rollback on. No host takes the name of the generic configuration,
# and every node is a host.
#
# hosts: the `hosts` of hosts/default.nix (name -> host.json plus name);
# configs: name -> the host's configuration (the evaluated config in the
# flake; offline, its modules' definitions merged);
# nodes: deploy.nodes; keysFile: digitalocean/authorized_keys.
{
  hosts,
  configs,
  nodes,
  keysFile,
}:
let
  inherit (builtins) attrNames concatMap;
  inherit (import ./lib.nix) expect includes require;
  diskLayout = import ./disk-layout.nix;

  route = {
    anywhere = name: c: map (p: "${name}: ${p}") (diskLayout (c.disko.devices or { }));
    infect =
      name: c:
      require (c ? fileSystems."/".device) "${name}: no fileSystems.\"/\" (hardware-configuration.nix)"
      ++ expect "${name}: boot.loader.grub.device" (c.boot.loader.grub.device or null) "/dev/vda"
      ++ require (
        (c.networking.defaultGateway or null) != null
      ) "${name}: no networking.defaultGateway (networking.nix)"
      ++ expect "${name}: networking.dhcpcd.enable" (c.networking.dhcpcd.enable or null) false
      # As digitalocean/infect-import.nix, which the droplet was installed
      # with, sets them: the recovery console shows boot messages, and the
      # scripted initrd stays.
      ++ includes "${name}: boot.kernelParams" (c.boot.kernelParams or [ ]) [
        "console=ttyS0,115200"
        "console=tty1"
      ]
      ++ expect "${name}: boot.initrd.systemd.enable" (c.boot.initrd.systemd.enable or null) false;
  };

  host =
    name:
    let
      h = hosts.${name};
      c = configs.${name};
      n = nodes.${name} or { };
      system = n.profiles.system or { };
      keyFiles = map toString (c.users.users.root.openssh.authorizedKeys.keyFiles or [ ]);
    in
    if !(configs ? ${name}) then
      [ "${name}: no nixosConfigurations.${name}" ]
    else
      expect "${name}: networking.hostName" (c.networking.hostName or null) h.hostname
      ++ expect "${name}: networking.domain" (c.networking.domain or null) (h.domain or null)
      ++ expect "${name}: system.stateVersion" (c.system.stateVersion or null) h.stateVersion
      ++ expect "${name}: services.openssh.enable" (c.services.openssh.enable or null) true
      ++ includes "${name}: root's authorizedKeys.keyFiles" keyFiles [ (toString keysFile) ]
      ++ route.${h.route} name c
      ++ expect "deploy.nodes.${name}.hostname" (n.hostname or null) h.address
      ++ expect "deploy.nodes.${name}.sshUser" (n.sshUser or null) "root"
      ++ expect "deploy.nodes.${name}.magicRollback" (n.magicRollback or null) true
      ++ expect "deploy.nodes.${name}.autoRollback" (n.autoRollback or null) true
      ++ expect "deploy.nodes.${name}.profiles" (attrNames (n.profiles or { })) [ "system" ]
      ++ expect "deploy.nodes.${name}.profiles.system.user" (system.user or null) "root"
      ++ require (system ? path) "deploy.nodes.${name}.profiles.system has no path";
in
require (!(hosts ? digitalocean)) "a host named digitalocean hides the generic configuration"
++ expect "deploy.nodes" (attrNames nodes) (attrNames hosts)
++ concatMap host (attrNames hosts)
