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
// move the pin, change both together and read the script's diff first.
const (
	Commit       = "7563801d3ae68c975e4027f4e31a3906dca95f30"
	ScriptSHA256 = "4cc3b5f8e4333ab4f02906d80a836c1b36e2887a51abf4eba4d9113b33934393"
	ScriptURL    = "https://raw.githubusercontent.com/elitak/nixos-infect/" + Commit + "/nixos-infect"
)
