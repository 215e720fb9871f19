# The disk layout nixos-anywhere writes (nixos-anywhere/disk-config.nix) is
# the layout of the seed's successful install (README.md, `fdisk -l`):
# /dev/vda1 1M BIOS boot, /dev/vda2 500M EFI System (vfat, /boot), /dev/vda3
# the rest as LVM `pool`, logical volume `root` ext4 at /. One disk, /dev/vda:
# /dev/vdb is DigitalOcean's config drive, and disko wipes every disk it is
# given.
#
# devices: disko.devices, either as the module file writes it (offline) or as
# disko's module evaluates it (in the flake, where disko adds its defaults:
# every kind of device, empty, internal attributes starting with _, and each
# partition's priority).
devices:
let
  inherit (builtins)
    attrNames
    filter
    head
    length
    sort
    substring
    ;
  inherit (import ./lib.nix) expect;
  kinds = filter (k: substring 0 1 k != "_" && devices.${k} != { }) (attrNames devices);
  disks = attrNames (devices.disk or { });
  disk = if length disks == 1 then devices.disk.${head disks} else { };
  parts = disk.content.partitions or { };
  part = name: parts.${name} or { };
  # disko creates partitions by priority: EF02 first, 100% last, else by
  # name (lib/types/gpt.nix); the flake sees the priority disko computed.
  priority =
    name:
    let
      p = part name;
    in
    p.priority or (
      if (p.size or "") == "100%" then
        9001
      else if (p.type or "") == "EF02" then
        100
      else
        1000
    );
  order = sort (a: b: priority a < priority b || (priority a == priority b && a < b)) (
    attrNames parts
  );
  vgs = devices.lvm_vg or { };
  lvs = vgs.pool.lvs or { };
  boot = part "boot";
  esp = part "ESP";
  root = part "root";
in
expect "device kinds" kinds [
  "disk"
  "lvm_vg"
]
++ expect "number of disks" (length disks) 1
++ expect "disk device" (disk.device or null) "/dev/vda"
++ expect "disk type" (disk.type or null) "disk"
++ expect "partition table" (disk.content.type or null) "gpt"
++ expect "partitions in creation order (vda1, vda2, vda3)" order [
  "boot"
  "ESP"
  "root"
]
++ expect "boot size" (boot.size or null) "1M"
++ expect "boot type" (boot.type or null) "EF02"
++ expect "boot content" (boot.content or null) null
++ expect "ESP size" (esp.size or null) "500M"
++ expect "ESP type" (esp.type or null) "EF00"
++ expect "ESP content type" (esp.content.type or null) "filesystem"
++ expect "ESP format" (esp.content.format or null) "vfat"
++ expect "ESP mountpoint" (esp.content.mountpoint or null) "/boot"
++ expect "root size" (root.size or null) "100%"
++ expect "root content type" (root.content.type or null) "lvm_pv"
++ expect "root volume group" (root.content.vg or null) "pool"
++ expect "volume groups" (attrNames vgs) [ "pool" ]
++ expect "pool type" (vgs.pool.type or null) "lvm_vg"
++ expect "logical volumes" (attrNames lvs) [ "root" ]
++ expect "LV root size" (lvs.root.size or null) "100%FREE"
++ expect "LV root content type" (lvs.root.content.type or null) "filesystem"
++ expect "LV root format" (lvs.root.content.format or null) "ext4"
++ expect "LV root mountpoint" (lvs.root.content.mountpoint or null) "/"
