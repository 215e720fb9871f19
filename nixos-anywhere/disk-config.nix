# Disk layout that nixos-anywhere (through disko) writes on a droplet. It is the
# layout of the first successful install (README.md, `fdisk -l`):
#
#   /dev/vda1  1M    BIOS boot (EF02)    GRUB's core image on BIOS boots
#   /dev/vda2  500M  EFI System (EF00)   vfat, mounted at /boot
#   /dev/vda3  rest  LVM physical volume in volume group `pool`
#   /dev/mapper/pool-root  logical volume `root`, all free space, ext4 at /
#
# /dev/vdb is DigitalOcean's config drive (cloud-init reads the droplet's
# addresses from it): it must never appear here, or disko would wipe it.
#
# Plain data, no `lib`: .ci/nix-checks evaluates this file without nixpkgs and
# checks the sizes and types above.
{
  disko.devices = {
    disk.disk1 = {
      type = "disk";
      device = "/dev/vda";
      content = {
        type = "gpt";
        # disko orders partitions by priority: EF02 first, 100% last.
        partitions = {
          boot = {
            size = "1M";
            type = "EF02";
          };
          ESP = {
            size = "500M";
            type = "EF00";
            content = {
              type = "filesystem";
              format = "vfat";
              mountpoint = "/boot";
              mountOptions = [ "umask=0077" ];
            };
          };
          root = {
            size = "100%";
            content = {
              type = "lvm_pv";
              vg = "pool";
            };
          };
        };
      };
    };
    lvm_vg.pool = {
      type = "lvm_vg";
      lvs.root = {
        size = "100%FREE";
        content = {
          type = "filesystem";
          format = "ext4";
          mountpoint = "/";
        };
      };
    };
  };
}
