#!/bin/sh
# Refresh tests/vendor/axe.min.js and its licence from the axe-core version pinned in package.json (needs npm;
# the file is committed, so running the tests never does). axe is injected by the browser tests only.
set -eu
cd "$(dirname "$0")"
version=$(node -p "require('./package.json').devDependencies['axe-core']")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "axe-core@$version" >/dev/null && tar xzf "axe-core-$version.tgz")
cp "$tmp/package/axe.min.js" axe.min.js
cp "$tmp/package/LICENSE" axe-core.LICENSE
sha256sum axe.min.js
