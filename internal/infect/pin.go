// Package infect turns a fresh DigitalOcean droplet into NixOS with
// nixos-infect run from cloud-init user data, and follows that install over
// SSH through its reboot, collecting the logs when it fails.
package infect

// The nixos-infect the droplet runs, pinned so that a change upstream cannot
// change what a droplet does without a change here. Commit is master of
// elitak/nixos-infect on 2026-01-21 ("Add hostmyserver (#253)"); the script
// itself last changed in 3fa642be ("Support RHEL-based distros (#251)").
// ScriptSHA256 is the sha256sum of the nixos-infect file at that commit,
// computed from a clone (git show <Commit>:nixos-infect | sha256sum). To
// move the pin, change both together, read the script's diff first, and
// redo the reading below.
//
// What was read at the pin (line numbers of nixos-infect at Commit), for the
// paths a stock DigitalOcean Debian 12 droplet takes:
//
//   - BIOS boot (no /sys/firmware/efi). Since 619b197 (#212), prepareEnv
//     sets bootFs only in its UEFI branch (267-280); the BIOS branch picks
//     grubdev, the first of /dev/vda /dev/sda /dev/xvda /dev/nvme0n1 that
//     exists (279), so /dev/vda. The end of infect then runs `rm -rf
//     $bootFs.bak`, `mv -v $bootFs $bootFs.bak || { cp -a …; rm -rf …;
//     umount …; }` (418-421) under `set -e` (5): with bootFs empty, mv and cp
//     get one operand, the script exits and never reaches
//     `switch-to-configuration boot` (427). Upstream issue #255; PRs #254,
//     #256, #258, #261 proposed fixes, and #264 ("fixes errors for non efi
//     systems") was merged on 2026-03-10, after the newest snapshot that
//     could be read here: moving the pin there means reading and hashing
//     that script first. Nothing else
//     assigns bootFs, and bash imports it from the environment, so the user
//     data exports bootFs=/boot when there is no EFI (on UEFI prepareEnv
//     overwrites it). With it, infect moves /boot to /boot.bak (a nested
//     /boot/efi mount moves with it: rename(2) of a directory that holds a
//     mount point succeeds) and NixOS's GRUB is installed on /dev/vda from
//     the generated `boot.loader.grub.device = "/dev/vda"` (100-103).
//   - ext4 root on /dev/vda1, no separate /boot: rootfsdev comes from
//     `mount | grep "on / type"` and its type from df (284-285), giving
//     fileSystems."/" = /dev/vda1 ext4 (120). A separate /boot mount with a
//     nested /boot/efi would fail at 421 (#199, #256); DigitalOcean's Debian
//     12 is described as having none (issue 10 of this repository; not seen
//     here on a real droplet).
//   - The config drive on /dev/vdb: nothing reads or writes it. Networking
//     comes from the running system (`ip`, /etc/resolv.conf; 141-216) when
//     PROVIDER=digitalocean sets doNetConf (435-437). makeNetworkingConf runs
//     as `[[ -n $doNetConf ]] && makeNetworkingConf || true` (126), so set -e
//     is off inside it and a failure there is silent: the user data checks
//     that networking.nix exists. Without a global IPv6 address it writes
//     `ipv6.routes = [ { address = ""; prefixLength = 128; } ]` (205,
//     #209, open), which the user data removes; it also lists the link-local
//     fe80:: address in ipv6.addresses (NixOS finds it already there and
//     goes on, as the boot log in #209 shows).
//   - cloud-init runs runcmd as root with no USER: checkEnv tests whoami
//     (330), and prepareEnv exports USER=root and HOME=/root (288-289) before
//     the Nix installer, which needs them. `[ ! -v $PROVIDER ]` (430) tests
//     a variable named "digitalocean", so autodetectProvider runs and only
//     looks for /etc/hetzner-build: harmless.
//   - checkEnv (330-356) installs bzip2, xz-utils, curl and tar with
//     `(which apt-get && apt-get update && apt-get install -y …) || true`
//     for whichever of bzcat, xzcat, curl and tar is missing, then requires
//     curl or wget, bzcat, xzcat, groupadd, useradd, ip, awk, cut or df, and
//     tar, and returns 1 ("ERROR: Missing bzcat") without one. On a first
//     boot Debian's apt-daily or unattended-upgrades may hold apt's locks,
//     so that apt-get fails and pass one stops; the user data installs the
//     packages of the missing ones first, waiting for the locks.
//   - Our two passes. Pass one (NO_INFECT=1 NO_SWAP=1) runs checkEnv,
//     prepareEnv, checkExistingSwap and makeConf, which writes
//     configuration.nix (importing $NIXOS_IMPORT, 53), hardware- and
//     networking.nix; no swap, no infect, and NO_REBOOT skips the reboot
//     (453-455). Pass two makes a 1 GiB swap file in /tmp (232-238, on disk
//     on Debian 12), skips makeConf because configuration.nix exists (15),
//     installs Nix and the channel NIX_CHANNEL (373-382), builds the system
//     (392-396), writes /etc/NIXOS_LUSTRATE (412-416), swaps /boot and
//     switches (418-427), removes the swap (240-243) and does not reboot.
//     It installs the newest Nix from nixos.org/nix/install (373-374): that
//     part is not pinned by this commit.
//
// Verified here (2026-11-30): the user data as rendered for a droplet, with
// this exact script (sha256 as above), run by bash in a chroot whose system
// commands (mount, ip, df, curl, the Nix installer, nix-env,
// switch-to-configuration, reboot) were stubs: on BIOS it reaches
// switch-to-configuration boot, status done; without bootFs it stops at
// `mv -v .bak` with status "failed nixos-infect exited 1"; on UEFI with
// /boot/efi mounted it reaches switch-to-configuration. script_test.go
// repeats this on every test run with a model of the lines above, since the
// script itself is not part of this repository.
const (
	Commit       = "7563801d3ae68c975e4027f4e31a3906dca95f30"
	ScriptSHA256 = "4cc3b5f8e4333ab4f02906d80a836c1b36e2887a51abf4eba4d9113b33934393"
	ScriptURL    = "https://raw.githubusercontent.com/elitak/nixos-infect/" + Commit + "/nixos-infect"
)

// StateVersion is the system.stateVersion that makeConf writes into
// /etc/nixos/configuration.nix at Commit ("23.11", whatever the channel);
// the host entry records the value read from the droplet itself.
const StateVersion = "23.11"
