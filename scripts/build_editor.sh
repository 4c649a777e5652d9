#!/bin/sh
# Rebuild the front-end libraries shipped in kg/web/static/vendor/ from the pinned
# packages of scripts/editor/ (package.json, package-lock.json): CodeMirror 6 with the
# SPARQL mode as one file (codemirror.js, the global KGEditor), and Swagger UI's
# prebuilt bundle and stylesheet, with every licence they carry. The files are
# committed: serving the graph never needs npm, nor the network. Run from anywhere:
#     sh scripts/build_editor.sh          # rebuild
#     sh scripts/build_editor.sh --check  # rebuild elsewhere and fail if it differs
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
src="$here/editor"
out="$root/kg/web/static/vendor"
if [ "${1:-}" = "--check" ]; then
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"
cd "$src"
# exactly the lock's versions; no install scripts (esbuild's binary comes as a package)
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
./node_modules/.bin/esbuild src/codemirror.js --bundle --format=iife --global-name=KGEditor \
    --target=es2020 --minify --legal-comments=none --charset=utf8 --log-level=warning \
    --outfile="$out/codemirror.js"
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js "$out/swagger-ui-bundle.js"
# without the source-map comment: the map is not shipped, and a browser's tools would ask for it
sed '/sourceMappingURL=/d' node_modules/swagger-ui-dist/swagger-ui.css > "$out/swagger-ui.css"
# every licence of what the two files hold, each under the package's name and version
{
    echo "Licences of the files in this directory, as rebuilt by scripts/build_editor.sh."
    echo "codemirror.js bundles the packages below from @codemirror, @lezer, @marijn, crelt,"
    echo "style-mod and w3c-keyname; swagger-ui-bundle.js and swagger-ui.css are swagger-ui-dist's"
    echo "(its bundled dependencies' notices follow its licence)."
    for pkg in $(cd node_modules && ls -d @codemirror/* @lezer/* @marijn/* crelt style-mod w3c-keyname swagger-ui-dist | LC_ALL=C sort); do
        version=$(node -p "require('./node_modules/$pkg/package.json').version")
        echo
        echo "==== $pkg $version"
        echo
        cat "node_modules/$pkg/LICENSE"
    done
    echo
    echo "==== swagger-ui-dist: notices of the libraries in swagger-ui-bundle.js"
    echo
    cat node_modules/swagger-ui-dist/NOTICE
    echo
    cat node_modules/swagger-ui-dist/swagger-ui-bundle.js.LICENSE.txt
} > "$out/LICENSES.txt"
if [ "${1:-}" = "--check" ]; then
    for f in codemirror.js swagger-ui-bundle.js swagger-ui.css LICENSES.txt; do
        cmp "$out/$f" "$root/kg/web/static/vendor/$f" || { echo "kg/web/static/vendor/$f differs from its rebuild" >&2; exit 1; }
    done
    echo "kg/web/static/vendor/ is what scripts/build_editor.sh builds"
fi
