package verify

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseOSRelease(t *testing.T) {
	for _, tc := range []struct {
		text      string
		want      OSRelease
		nixos     bool
		installer bool
	}{
		{
			text: "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n",
			want: OSRelease{ID: "debian", PrettyName: "Debian GNU/Linux 12 (bookworm)"},
		},
		{
			text:  "ANSI_COLOR=\"0;38;2;126;186;228\"\nID=nixos\nNAME=NixOS\nPRETTY_NAME=\"NixOS 25.11 (Xantusia)\"\nVERSION_ID=\"25.11\"\n",
			want:  OSRelease{ID: "nixos", PrettyName: "NixOS 25.11 (Xantusia)"},
			nixos: true,
		},
		{
			// nixos-images' kexec installer, which nixos-anywhere boots into.
			text:  "ID=nixos\nVARIANT_ID=installer\nPRETTY_NAME='NixOS 25.05 (Warbler)'\n",
			want:  OSRelease{ID: "nixos", VariantID: "installer", PrettyName: "NixOS 25.05 (Warbler)"},
			nixos: true, installer: true,
		},
		{
			text: "# comment\nID=\"my\\\"os\"\nPRETTY_NAME=\"cost \\$5\"\n",
			want: OSRelease{ID: `my"os`, PrettyName: "cost $5"},
		},
	} {
		got := parseOSRelease(tc.text)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("parseOSRelease(%q) (-want +got):\n%s", tc.text, diff)
		}
		if got.IsNixOS() != tc.nixos || got.IsInstaller() != tc.installer {
			t.Errorf("%v: IsNixOS %t, IsInstaller %t", got, got.IsNixOS(), got.IsInstaller())
		}
	}
}
