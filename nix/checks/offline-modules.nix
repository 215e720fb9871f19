# An offline stand-in for the NixOS module system, for ./offline.nix: it calls
# module files (and the files they import) with stub arguments and merges
# what they define. It sees the values this repository's files set. It does
# not see option names, types or priorities: mkDefault, mkForce and their
# kin return their argument, so a wrong name, a wrong type or a value that
# another module overrides passes here and fails only in the flake's checks.
# Imports of nixpkgs' modules (under modulesPath) are recorded, not read.
let
  inherit (builtins)
    attrNames
    filter
    foldl'
    genericClosure
    isAttrs
    isFunction
    isList
    isPath
    mapAttrs
    removeAttrs
    ;
  modulesPath = "/nixpkgs/nixos/modules";
  identity = x: x;
  stubLib = builtins // {
    mkDefault = identity;
    mkForce = identity;
    mkOverride = _: identity;
    lowPrio = identity;
    mkIf = cond: value: if cond then value else { };
    optional = cond: x: if cond then [ x ] else [ ];
    optionalAttrs = cond: set: if cond then set else { };
    genAttrs =
      names: f:
      builtins.listToAttrs (
        map (name: {
          inherit name;
          value = f name;
        }) names
      );
  };
  args = {
    lib = stubLib;
    config = { };
    pkgs = { };
    options = { };
    inherit modulesPath;
  };
  # A module's definitions: a file or a function is called with args.
  call =
    module:
    let
      m = if isPath module then import module else module;
    in
    if isFunction m then m args else m;
  # Right wins, except that attribute sets merge and lists concatenate.
  merge =
    a: b:
    a
    // mapAttrs (
      n: v:
      if a ? ${n} && isAttrs v && isAttrs a.${n} then
        merge a.${n} v
      else if a ? ${n} && isList v && isList a.${n} then
        a.${n} ++ v
      else
        v
    ) b;
  # The merged definitions of files and everything they import, with
  # `files` (the files read, in order) and `external` (imports not read).
  eval =
    files:
    let
      node = f: {
        key = toString f;
        file = f;
      };
      imports = m: (call m).imports or [ ];
      closure = genericClosure {
        startSet = map node files;
        operator = x: map node (filter isPath (imports x.file));
      };
      read = map (x: x.file) closure;
    in
    foldl' merge { } (map (f: removeAttrs (call f) [ "imports" ]) read)
    // {
      files = read;
      external = map toString (filter (i: !(isPath i)) (builtins.concatMap imports read));
    };
in
{
  inherit
    modulesPath
    stubLib
    call
    merge
    eval
    ;

  # The merged definitions of a NixOS system's module list, which holds
  # files and modules written in place (attribute sets or functions).
  evalModules =
    modules: foldl' merge (eval (filter isPath modules)) (map call (filter (m: !(isPath m)) modules));
}
