# What every check shares. A check is a function from what it looks at to a
# list of problems (strings); an empty list means it passes. Checks use
# builtins only, so the same file runs offline on Nix 2.8 (.ci/nix-checks)
# and in `nix flake check` against the real nixpkgs.
let
  inherit (builtins) elem filter toJSON;
in
{
  # A problem when got is not want.
  expect =
    what: got: want:
    if got == want then [ ] else [ "${what} is ${toJSON got}, want ${toJSON want}" ];

  # A problem for each of want that got lacks (got may hold more).
  includes =
    what: got: want:
    map (w: "${what} is ${toJSON got}, lacks ${toJSON w}") (filter (w: !(elem w got)) want);

  # A problem with message msg unless ok.
  require = ok: msg: if ok then [ ] else [ msg ];
}
