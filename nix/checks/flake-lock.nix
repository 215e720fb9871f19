# flake.lock agrees with flake.nix: lock version 7; the root inputs are the
# inputs of flake.nix, each with the original its github: URL names and its
# `flake = false`; every `inputs.<x>.follows` of flake.nix is in the lock and
# the lock has no other follows that start outside an input; every follows
# leads to a node; every node is pinned (rev, narHash, lastModified,
# original); no node is unused; and there is one set of pins: no repository
# is pinned by two nodes, so every input that brings its own nixpkgs (or
# another copy of anything) follows ours instead.
#
# flake: import ../../flake.nix; lock: the parsed flake.lock.
{ flake, lock }:
let
  inherit (builtins)
    attrNames
    concatMap
    elem
    elemAt
    filter
    genericClosure
    head
    isInt
    isList
    isString
    length
    match
    split
    tail
    toJSON
    ;
  inherit (import ./lib.nix) expect require;
  nodes = lock.nodes or { };
  rootName = lock.root or "root";
  root = nodes.${rootName} or { };
  declared = flake.inputs or { };

  # The lock's `original` for a github: URL.
  original =
    url:
    let
      m = match "github:([^/?]+)/([^/?]+)(/([^?]+))?" url;
    in
    if m == null then
      null
    else
      {
        type = "github";
        owner = elemAt m 0;
        repo = elemAt m 1;
      }
      // (if elemAt m 3 == null then { } else { ref = elemAt m 3; });
  followsPath = s: if s == "" then [ ] else filter isString (split "/" s);
  # A node's input is a node name, or a follows path from the root.
  resolve = ref: if isList ref then walk rootName ref else ref;
  walk =
    node: path:
    if path == [ ] then
      node
    else
      let
        next = nodes.${node}.inputs.${head path} or null;
      in
      if next == null then null else walk (resolve next) (tail path);

  input =
    name:
    let
      d = declared.${name};
      ref = root.inputs.${name} or null;
      nodeName = if ref == null then null else resolve ref;
      node = if nodeName == null then null else nodes.${nodeName} or null;
      want = if d ? url then original d.url else null;
      declaredFollows = sub: (d.inputs.${sub}.follows or null) != null;
    in
    if node == null then
      [ "input ${name}: no node in flake.lock" ]
    else
      (
        if !(d ? url) then
          [ ]
        else if want == null then
          [ "input ${name}: url ${d.url} is not a github: URL this check understands" ]
        else
          expect "input ${name}: original" (node.original or null) want
      )
      ++ expect "input ${name}: flake" (node.flake or true) (d.flake or true)
      ++ concatMap (
        sub:
        if declaredFollows sub then
          expect "input ${name}: inputs.${sub} in flake.lock" (node.inputs.${sub} or null) (
            followsPath d.inputs.${sub}.follows
          )
        else
          [ ]
      ) (attrNames (d.inputs or { }))
      # A follows in the lock that starts outside this input was declared here.
      ++ concatMap (
        sub:
        let
          got = node.inputs.${sub};
          fromOutside = isList got && (got == [ ] || head got != name);
          msg =
            "input ${name}: inputs.${sub} follows ${toJSON got} in flake.lock,"
            + " but flake.nix declares no such follows";
        in
        require (!fromOutside || declaredFollows sub) msg
      ) (attrNames (node.inputs or { }));

  leadsToNode =
    n:
    concatMap (
      i:
      let
        ref = nodes.${n}.inputs.${i};
        target = resolve ref;
        msg = "node ${n}: input ${i} = ${toJSON ref} leads to no node";
      in
      require (target != null && nodes ? ${target}) msg
    ) (attrNames (nodes.${n}.inputs or { }));

  pinned =
    n:
    let
      l = nodes.${n}.locked or null;
      rev = l.rev or null;
      narHash = l.narHash or null;
      lastModified = l.lastModified or null;
      matches = re: v: isString v && match re v != null;
    in
    if n == rootName then
      [ ]
    else if l == null then
      [ "node ${n}: not locked" ]
    else
      require (matches "[0-9a-f]{40}" rev) "node ${n}: locked.rev ${toJSON rev} is not a 40-digit hex revision"
      ++ require (matches "sha256-[A-Za-z0-9+/]{43}=" narHash) "node ${n}: locked.narHash ${toJSON narHash} is not a sha256 SRI hash"
      ++ require (
        isInt lastModified && lastModified > 0
      ) "node ${n}: locked.lastModified ${toJSON lastModified} is not a Unix time"
      ++ require (nodes.${n} ? original) "node ${n}: no original";

  repoOf =
    n:
    let
      l = nodes.${n}.locked;
    in
    "${l.owner or "?"}/${l.repo or "?"}";
  lockedNodes = filter (n: nodes.${n} ? locked) (attrNames nodes);
  pinnedTwice = filter (n: length (filter (m: repoOf m == repoOf n) lockedNodes) > 1) lockedNodes;

  reachable = map (x: x.key) (genericClosure {
    startSet = [ { key = rootName; } ];
    operator =
      x:
      map (key: { inherit key; }) (
        filter (k: k != null && nodes ? ${k}) (
          map (i: resolve nodes.${x.key}.inputs.${i}) (attrNames (nodes.${x.key}.inputs or { }))
        )
      );
  });
in
expect "lock version" (lock.version or null) 7
++ expect "root inputs" (attrNames (root.inputs or { })) (attrNames declared)
++ concatMap input (attrNames declared)
++ concatMap leadsToNode (attrNames nodes)
++ concatMap pinned (attrNames nodes)
++ map (n: "node ${n}: not used by any input") (filter (n: !(elem n reachable)) (attrNames nodes))
++ map (
  n: "node ${n}: ${repoOf n} is pinned by another node too; make the input that brings it follow ours"
) pinnedTwice
