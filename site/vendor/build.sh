#!/bin/sh
# Rebuild site/static/vendor/codemirror.js from the pinned npm packages in package.json (needs node and npm;
# the bundle is committed, so building or testing the site never does).
set -eu
cd "$(dirname "$0")"
npm install --no-audit --no-fund --ignore-scripts=false
npx esbuild editor-entry.js --bundle --minify --format=iife --global-name=AttnbankCM --legal-comments=none \
  --target=es2020 --outfile=../static/vendor/codemirror.js
for p in @codemirror/view @codemirror/state @codemirror/commands @codemirror/language @codemirror/lang-python \
         @lezer/highlight @lezer/common @lezer/lr @lezer/python style-mod w3c-keyname crelt @marijn/find-cluster-break; do
  printf '%s %s\n' "$p" "$(node -p "require('./node_modules/$p/package.json').version")"
done > ../static/vendor/codemirror.versions.txt
cp node_modules/@codemirror/view/LICENSE ../static/vendor/codemirror.LICENSE.txt
