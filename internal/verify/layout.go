package verify

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/Gleipnir-Technology/nixos-systems/internal/remote"
)

// lsblkCommand lists every block device with what the layout check needs,
// sizes in bytes. lsblk reads sysfs and udev, so it needs no device nodes.
const lsblkCommand = "lsblk -J -b -o NAME,SIZE,TYPE,FSTYPE,MOUNTPOINT,PARTTYPE"

// GPT partition type GUIDs of nixos-anywhere/disk-config.nix's partitions.
const (
	biosBootGUID = "21686148-6449-6e6f-744e-656564454649" // EF02
	espGUID      = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b" // EF00
)

const mib = 1 << 20

// blockDevice is one node of `lsblk -J`; its null fields decode as "".
type blockDevice struct {
	Name       string        `json:"name"`
	Size       lsblkSize     `json:"size"`
	Type       string        `json:"type"`
	FSType     string        `json:"fstype"`
	MountPoint string        `json:"mountpoint"`
	PartType   string        `json:"parttype"`
	Children   []blockDevice `json:"children"`
}

// lsblkSize accepts both forms of SIZE: util-linux before 2.33 wrote every
// JSON value as a string.
type lsblkSize int64

func (s *lsblkSize) UnmarshalJSON(b []byte) error {
	n, err := strconv.ParseInt(strings.Trim(string(b), `"`), 10, 64)
	if err != nil {
		return fmt.Errorf("lsblk size %s: %w", b, err)
	}
	*s = lsblkSize(n)
	return nil
}

// checkLayout reads the disks of the host c is connected to (from lsblk,
// or from the file disks when it is not "") and compares them with the
// layout nixos-anywhere/disk-config.nix makes.
func checkLayout(ctx context.Context, c *remote.Client, disks string) (string, error) {
	command := lsblkCommand
	if disks != "" {
		command = "cat " + remote.ShellQuote(disks)
	}
	out, err := c.Output(ctx, command)
	if err != nil {
		return "", fmt.Errorf("list disks: %w", err)
	}
	return judgeLayout(out)
}

// judgeLayout compares `lsblk -J -b` output with disk-config.nix: vda1 1M
// BIOS boot, vda2 500M EFI vfat on /boot, vda3 an LVM volume whose pool/root
// is ext4 on /.
func judgeLayout(lsblkJSON []byte) (string, error) {
	var list struct {
		BlockDevices []blockDevice `json:"blockdevices"`
	}
	if err := json.Unmarshal(lsblkJSON, &list); err != nil {
		return "", fmt.Errorf("lsblk output is not the expected JSON: %w", err)
	}
	var disks []string
	var vda *blockDevice
	for i, d := range list.BlockDevices {
		disks = append(disks, d.Name)
		if d.Name == "vda" {
			vda = &list.BlockDevices[i]
		}
	}
	if vda == nil {
		return "", fmt.Errorf("no disk vda (lsblk lists %s); disk-config.nix partitions /dev/vda", cmp.Or(strings.Join(disks, ", "), "no disks"))
	}
	if len(vda.Children) == 0 {
		return "", errors.New("vda has no partitions, want vda1 1M BIOS boot, vda2 500M EFI vfat on /boot, vda3 LVM pool/root ext4 on / (the layout of nixos-anywhere/disk-config.nix)")
	}
	parts := map[string]blockDevice{}
	for _, p := range vda.Children {
		parts[p.Name] = p
	}
	var problems []string
	if p, ok := parts["vda1"]; !ok || p.Size != mib || !strings.EqualFold(p.PartType, biosBootGUID) {
		problems = append(problems, "vda1 is "+describe(p, ok)+", want 1M BIOS boot")
	}
	if p, ok := parts["vda2"]; !ok || p.Size != 500*mib || !strings.EqualFold(p.PartType, espGUID) || p.FSType != "vfat" || p.MountPoint != "/boot" {
		problems = append(problems, "vda2 is "+describe(p, ok)+", want 500M EFI vfat on /boot")
	}
	root, rootOK := poolRoot(parts["vda3"])
	if !rootOK || root.FSType != "ext4" || root.MountPoint != "/" {
		problems = append(problems, "vda3 holds "+describeRoot(parts["vda3"], root, rootOK)+", want LVM pool/root ext4 on /")
	}
	if len(problems) > 0 {
		return "", errors.New(strings.Join(problems, ", ") + " (the layout of nixos-anywhere/disk-config.nix)")
	}
	return fmt.Sprintf("vda1 1M BIOS boot, vda2 500M EFI vfat on /boot, pool/root %s ext4 on /", gib(root.Size)), nil
}

// poolRoot finds LVM's pool/root, which lsblk names pool-root after its
// device-mapper node, inside an LVM physical volume.
func poolRoot(pv blockDevice) (blockDevice, bool) {
	if pv.FSType != "LVM2_member" {
		return blockDevice{}, false
	}
	for _, lv := range pv.Children {
		if lv.Name == "pool-root" && lv.Type == "lvm" {
			return lv, true
		}
	}
	return blockDevice{}, false
}

func describe(p blockDevice, ok bool) string {
	if !ok {
		return "missing"
	}
	fields := []string{sizeOf(p.Size)}
	switch strings.ToLower(p.PartType) {
	case biosBootGUID:
		fields = append(fields, "BIOS boot")
	case espGUID:
		fields = append(fields, "EFI")
	}
	if p.FSType != "" {
		fields = append(fields, p.FSType)
	}
	if p.MountPoint != "" {
		fields = append(fields, "on "+p.MountPoint)
	}
	return strings.Join(fields, " ")
}

func describeRoot(pv, root blockDevice, ok bool) string {
	switch {
	case pv.Name == "":
		return "nothing (no vda3)"
	case !ok:
		return "no LVM pool/root (filesystem " + cmp.Or(pv.FSType, "none") + ")"
	}
	return "pool/root " + cmp.Or(root.FSType, "unformatted") + " on " + cmp.Or(root.MountPoint, "nothing")
}

func sizeOf(n lsblkSize) string {
	if n%mib == 0 && n < 1<<30 {
		return fmt.Sprintf("%dM", n/mib)
	}
	return gib(n)
}

func gib(n lsblkSize) string { return fmt.Sprintf("%.1fG", float64(n)/(1<<30)) }
