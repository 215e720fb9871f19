package verify

import (
	"os"
	"strings"
	"testing"
)

func TestJudgeLayoutAcceptsDiskConfig(t *testing.T) {
	got, err := judgeLayout(readTestdata(t, "lsblk-nixos-anywhere.json"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "vda1 1M BIOS boot, vda2 500M EFI vfat on /boot, pool/root 79.5G ext4 on /"; got != want {
		t.Errorf("detail = %q, want %q", got, want)
	}
}

// util-linux before 2.33 wrote sizes as JSON strings.
func TestJudgeLayoutAcceptsSizesAsStrings(t *testing.T) {
	data := string(readTestdata(t, "lsblk-nixos-anywhere.json"))
	for _, n := range []string{"85899345920", "1048576", "524288000", "85371912192", "85370863616", "493568"} {
		data = strings.Replace(data, `"size": `+n, `"size": "`+n+`"`, 1)
	}
	if _, err := judgeLayout([]byte(data)); err != nil {
		t.Fatal(err)
	}
}

func TestJudgeLayoutNamesWhatDiffers(t *testing.T) {
	good := string(readTestdata(t, "lsblk-nixos-anywhere.json"))
	for _, tc := range []struct {
		name, json, want string
	}{
		{
			"stock Debian droplet", string(readTestdata(t, "lsblk-debian-droplet.json")),
			"vda1 is 24.9G ext4 on /, want 1M BIOS boot, vda2 is missing, want 500M EFI vfat on /boot, " +
				"vda3 holds nothing (no vda3), want LVM pool/root ext4 on / (the layout of nixos-anywhere/disk-config.nix)",
		},
		{
			"no vda", `{"blockdevices": [{"name": "sda", "size": 1, "type": "disk"}, {"name": "zram0", "size": 0, "type": "disk"}]}`,
			"no disk vda (lsblk lists sda, zram0); disk-config.nix partitions /dev/vda",
		},
		{
			"ESP not mounted", strings.Replace(good, `"mountpoint": "/boot"`, `"mountpoint": null`, 1),
			"vda2 is 500M EFI vfat, want 500M EFI vfat on /boot (the layout of nixos-anywhere/disk-config.nix)",
		},
		{
			"root not LVM", strings.Replace(good, `"fstype": "LVM2_member"`, `"fstype": "ext4"`, 1),
			"vda3 holds no LVM pool/root (filesystem ext4), want LVM pool/root ext4 on / (the layout of nixos-anywhere/disk-config.nix)",
		},
		{
			"root not mounted", strings.Replace(good, `"mountpoint": "/",`, `"mountpoint": "/mnt",`, 1),
			"vda3 holds pool/root ext4 on /mnt, want LVM pool/root ext4 on / (the layout of nixos-anywhere/disk-config.nix)",
		},
		{
			"unpartitioned vda", `{"blockdevices": [{"name": "vda", "size": 274877906944, "type": "disk", "mountpoint": "/"}]}`,
			"vda has no partitions, want vda1 1M BIOS boot, vda2 500M EFI vfat on /boot, vda3 LVM pool/root ext4 on / (the layout of nixos-anywhere/disk-config.nix)",
		},
		{"not JSON", "lsblk: unknown column", "lsblk output is not the expected JSON: invalid character 'l' looking for beginning of value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := judgeLayout([]byte(tc.json))
			if err == nil || err.Error() != tc.want {
				t.Errorf("error = %v\nwant    %s", err, tc.want)
			}
		})
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
