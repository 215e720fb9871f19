package runner

// Nix is the argv of `nix args…` with the nix command and flakes turned on
// for this one run: they are off unless nix.conf turns them on (Debian's
// nix-bin leaves them off), and where they are on the flag changes nothing.
func Nix(args ...string) []string {
	return append([]string{"nix", "--extra-experimental-features", "nix-command flakes"}, args...)
}
