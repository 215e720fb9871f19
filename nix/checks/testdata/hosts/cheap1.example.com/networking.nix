# As nixos-infect's makeNetworkingConf writes it (PROVIDER=digitalocean),
# with the addresses of a droplet without IPv6, and the empty IPv6 route
# the user data removes (nixos-infect #209) removed.
{ lib, ... }:
{
  # This file was populated at runtime with the networking
  # details gathered from the active system.
  networking = {
    nameservers = [
      "67.207.67.2"
      "67.207.67.3"
    ];
    defaultGateway = "203.0.113.1";
    defaultGateway6 = {
      address = "";
      interface = "eth0";
    };
    dhcpcd.enable = false;
    usePredictableInterfaceNames = lib.mkForce false;
    interfaces = {
      eth0 = {
        ipv4.addresses = [
          {
            address = "203.0.113.8";
            prefixLength = 20;
          }
          {
            address = "10.48.0.5";
            prefixLength = 16;
          }
        ];
        ipv6.addresses = [ ];
        ipv4.routes = [
          {
            address = "203.0.113.1";
            prefixLength = 32;
          }
        ];
        ipv6.routes = [ ];
      };
    };
  };
  services.udev.extraRules = ''
    ATTR{address}=="aa:bb:cc:dd:ee:ff", NAME="eth0"
  '';
}
