#!/usr/bin/env bash
# Builds what `make dist` ships into dist/: a stripped release binary, a Debian package
# (assay_VERSION_ARCH.deb: /usr/bin/assay, the man page, bash/zsh/fish completions), a tarball
# (assay-VERSION-linux-ARCH.tar.gz with the same files) and SHA256SUMS over both.
#
# The package's Depends are the Debian packages that own the shared libraries the binary links
# (its NEEDED entries, found with readelf, ldd and dpkg -S, as dpkg-shlibdeps would), plus libcurl4,
# which assay loads with dlopen on its first HTTP request and so is not among them.
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
BINARY=.build/release/assay
VERSION=$(sed -n 's/.*current = "\(.*\)".*/\1/p' Sources/AssayCore/Version.swift)
ARCH=$(dpkg --print-architecture)
[ -n "$VERSION" ] || { echo "dist: cannot read the version from Sources/AssayCore/Version.swift" >&2; exit 2; }

$SWIFT build -c release --static-swift-stdlib
[ "$("$BINARY" --version)" = "$VERSION" ] || { echo "dist: $BINARY --version is not $VERSION" >&2; exit 2; }

rm -rf dist/stage
mkdir -p dist/stage
STAGE=dist/stage/assay_${VERSION}_${ARCH}
install -d "$STAGE/DEBIAN" "$STAGE/usr/bin" "$STAGE/usr/share/man/man1" "$STAGE/usr/share/doc/assay" \
  "$STAGE/usr/share/bash-completion/completions" "$STAGE/usr/share/zsh/vendor-completions" \
  "$STAGE/usr/share/fish/vendor_completions.d"
install -m 0755 "$BINARY" "$STAGE/usr/bin/assay"
strip --strip-unneeded "$STAGE/usr/bin/assay"

# The man page and completions come from the binary being shipped (docs/man/assay.1 is the same
# page, checked in; a test keeps it current).
"$STAGE/usr/bin/assay" manual | gzip -9n > "$STAGE/usr/share/man/man1/assay.1.gz"
"$STAGE/usr/bin/assay" completion bash > "$STAGE/usr/share/bash-completion/completions/assay"
"$STAGE/usr/bin/assay" completion zsh > "$STAGE/usr/share/zsh/vendor-completions/_assay"
"$STAGE/usr/bin/assay" completion fish > "$STAGE/usr/share/fish/vendor_completions.d/assay.fish"
install -m 0644 README.md "$STAGE/usr/share/doc/assay/README.md"
install -m 0644 .pre-commit-hooks.yaml "$STAGE/usr/share/doc/assay/pre-commit-hooks.yaml"
install -d "$STAGE/usr/share/assay/hooks" "$STAGE/usr/share/assay/policies" "$STAGE/usr/share/assay/rubrics"
install -m 0755 hooks/assay-hook "$STAGE/usr/share/assay/hooks/assay-hook"
install -m 0644 policies/*.yml "$STAGE/usr/share/assay/policies/"
install -m 0644 rubrics/*.yml "$STAGE/usr/share/assay/rubrics/"

# Depends: the owner package of each shared library the binary names (its NEEDED entries, not what
# those pull in), at the installed version or later; ldd says where each one is.
needed=$(readelf -d "$STAGE/usr/bin/assay" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
depends=$(ldd "$STAGE/usr/bin/assay" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' | while read -r soname lib; do
    grep -qxF "$soname" <<<"$needed" || continue
    real=$(readlink -f "$lib")
    owner=$(dpkg -S "$real" 2>/dev/null || dpkg -S "$lib" 2>/dev/null || true)
    [ -n "$owner" ] || { echo "dist: no Debian package owns $lib" >&2; exit 2; }
    pkg=${owner%%:*}
    echo "$pkg (>= $(dpkg-query -W -f='${Version}' "$pkg" | sed 's/+deb[0-9].*//; s/-[^-]*$//'))"
  done | sort -u)
curl_version=$(dpkg-query -W -f='${Version}' libcurl4 | sed 's/-[^-]*$//')
depends=$(printf '%s\nlibcurl4 (>= %s)\n' "$depends" "$curl_version" | sort -u | paste -sd, - | sed 's/,/, /g')
size=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: assay
Version: $VERSION
Architecture: $ARCH
Maintainer: assay developers <dev@assay.invalid>
Installed-Size: $size
Depends: $depends
Section: devel
Priority: optional
Homepage: https://github.com/assay-dev/assay
Description: git-native auditor: are a repository's claims about itself true?
 assay reads a repository through libgit2 and checks the ship-claims in its PRDs, phase
 trackers, task lists and commit messages against the code at any SHA; blocks stubs,
 conflict markers and false claims from git hooks and CI; and leaves a receipt tied to
 the git SHA for every run.
CONTROL
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "dist/assay_${VERSION}_${ARCH}.deb" >/dev/null

# The tarball: the same files under assay-VERSION/, for machines without dpkg.
TAR_ROOT=dist/stage/assay-$VERSION
install -d "$TAR_ROOT"
cp -a "$STAGE/usr/." "$TAR_ROOT/"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='@0' -C dist/stage -czf "dist/assay-$VERSION-linux-$ARCH.tar.gz" "assay-$VERSION"

(cd dist && sha256sum "assay_${VERSION}_${ARCH}.deb" "assay-$VERSION-linux-$ARCH.tar.gz" > SHA256SUMS)
rm -rf dist/stage
echo "dist/assay_${VERSION}_${ARCH}.deb  (Depends: $depends)"
echo "dist/assay-$VERSION-linux-$ARCH.tar.gz"
echo "dist/SHA256SUMS"
