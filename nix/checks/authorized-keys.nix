# digitalocean/authorized_keys, the SSH keys all three routes install for
# root, is in OpenSSH's authorized_keys format: each line blank, a comment,
# or [options] type base64 [comment]. An empty file passes here; the Go tool
# refuses to install while it holds no key.
#
# text: the file's contents.
text:
let
  inherit (builtins)
    filter
    genList
    length
    elemAt
    isString
    match
    split
    ;
  lines = filter isString (split "\n" text);
  keyType =
    "(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)"
    + "|sk-ssh-ed25519@openssh\\.com|sk-ecdsa-sha2-nistp256@openssh\\.com)";
  isKey = line: match "([^ ]+ )?${keyType} [A-Za-z0-9+/]+={0,3}( .*)?" line != null;
  isBlank = line: match "[[:space:]]*(#.*)?" line != null;
  ok = i: isBlank (elemAt lines i) || isKey (elemAt lines i);
  bad = filter (i: !(ok i)) (genList (i: i) (length lines));
in
map (i: "line ${toString (i + 1)} is not a public key line: ${elemAt lines i}") bad
