#!/usr/bin/env bash
# `make test-dist`: checks what `make dist` built, the way a user installs it: the checksums, the
# package's metadata, then `apt-get install ./assay_*.deb` and the installed assay at work in a
# fresh repository (audit, a hook, init, claims), the man page and the completions, and the tarball.
# The package is removed again at the end unless it was installed before the test.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
VERSION=$(sed -n 's/.*current = "\(.*\)".*/\1/p' Sources/AssayCore/Version.swift)
ARCH=$(dpkg --print-architecture)
DEB=dist/assay_${VERSION}_${ARCH}.deb
TARBALL=dist/assay-$VERSION-linux-$ARCH.tar.gz
failures=0
check() {  # check DESCRIPTION COMMAND...: runs the command, reports ok/FAIL
  local what=$1; shift
  if "$@" >/tmp/assay-dist-check.log 2>&1; then echo "ok   $what"; else
    echo "FAIL $what"; sed 's/^/     /' /tmp/assay-dist-check.log; failures=$((failures + 1)); fi
}
expect_status() {  # expect_status CODE COMMAND...
  local want=$1; shift
  set +e; "$@"; local got=$?; set -e
  [ "$got" = "$want" ] || { echo "exit $got, expected $want: $*"; return 1; }
}

check "SHA256SUMS matches the package and the tarball" sh -c 'cd dist && sha256sum -c SHA256SUMS'
depends=$(dpkg-deb -f "$DEB" Depends)
for lib in libgit2-1.5 libcmark-gfm0.29.0.gfm.6 libcmark-gfm-extensions0.29.0.gfm.6 libsqlite3-0 libcurl4 libxml2 libc6; do
  check "Depends names $lib" grep -q "\b$lib (>=" <<<"$depends"
done
check "the package holds the binary, the man page and three completions" sh -c "dpkg-deb -c '$DEB' | grep -q ' ./usr/bin/assay\$' \
  && dpkg-deb -c '$DEB' | grep -q ' ./usr/share/man/man1/assay.1.gz\$' \
  && dpkg-deb -c '$DEB' | grep -q ' ./usr/share/bash-completion/completions/assay\$' \
  && dpkg-deb -c '$DEB' | grep -q ' ./usr/share/zsh/vendor-completions/_assay\$' \
  && dpkg-deb -c '$DEB' | grep -q ' ./usr/share/fish/vendor_completions.d/assay.fish\$'"

was_installed=no
dpkg -s assay >/dev/null 2>&1 && was_installed=yes
cleanup() { [ "$was_installed" = yes ] || $SUDO env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq assay >/dev/null 2>&1 || true; rm -rf "${work:-}"; }
trap cleanup EXIT
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./$DEB" >/dev/null
check "apt-get installed assay $VERSION" sh -c "dpkg -s assay | grep -q '^Version: $VERSION\$'"
check "/usr/bin/assay --version prints $VERSION" sh -c "[ \"\$(/usr/bin/assay --version)\" = '$VERSION' ]"
check "the installed binary is stripped (no .symtab)" sh -c "! readelf -S /usr/bin/assay | grep -q '\.symtab'"
check "the installed binary finds every library it links" sh -c "! ldd /usr/bin/assay | grep -q 'not found'"

work=$(mktemp -d)
repo=$work/repo
git init -q -b main "$repo"
git -C "$repo" config user.name "Dist Test"; git -C "$repo" config user.email dist@example.com
printf 'fn main() {}\n' > "$repo/main.rs"
printf '# Status\n\n- [x] `main.rs` entry point\n- [x] `src/missing.rs` parser\n' > "$repo/STATUS.md"
git -C "$repo" add -A && git -C "$repo" commit -q -m "First commit"

printf 'fn parse() { todo!() }\n' > "$repo/parse.rs"; git -C "$repo" add parse.rs
check "assay audit --staged blocks a staged stub (exit 1)" expect_status 1 /usr/bin/assay audit --staged --repo "$repo" --no-receipt
check "assay audit --staged names the stub rule" sh -c "/usr/bin/assay audit --staged --repo '$repo' --no-receipt | grep -q stub-marker"
check "assay hooks install points the hooks at /usr/bin/assay" sh -c "/usr/bin/assay hooks install --repo '$repo' >/dev/null && grep -q /usr/bin/assay '$repo/.git/hooks/pre-commit'"
check "the installed pre-commit hook refuses the stub" expect_status 1 git -C "$repo" commit -q -m "Add the parser"
printf 'fn parse() {}\n' > "$repo/parse.rs"; git -C "$repo" add parse.rs
check "the pre-commit hook lets a clean commit through" git -C "$repo" commit -q -m "Add the parser"
check "assay claims --fail-on contradicted fails on the false claim before init" expect_status 1 /usr/bin/assay claims --repo "$repo" --fail-on contradicted --no-receipt
check "assay init writes .assay.yml and the baseline" sh -c "/usr/bin/assay init --repo '$repo' --no-hooks >/dev/null && [ -f '$repo/.assay.yml' ] && [ -f '$repo/.assay-baseline.json' ]"
check "assay claims --fail-on contradicted passes after init" /usr/bin/assay claims --repo "$repo" --fail-on contradicted --no-receipt

# The pre-commit framework with the README's local-hook configuration (entry: /usr/bin/assay …).
pc=$work/pc
git init -q -b main "$pc"
git -C "$pc" config user.name "Dist Test"; git -C "$pc" config user.email dist@example.com
awk '/^# \.pre-commit-config\.yaml — assay from the Debian package/ { p = 1 } p && /^```/ { exit } p' README.md > "$pc/.pre-commit-config.yaml"
check "README's pre-commit configuration names /usr/bin/assay" grep -q 'entry: /usr/bin/assay hooks run pre-commit' "$pc/.pre-commit-config.yaml"
printf 'x = 1\n' > "$pc/a.py"; git -C "$pc" add -A; git -C "$pc" commit -q --no-verify -m "First commit"
export PRE_COMMIT_HOME=$work/pre-commit-home
check "pre-commit install sets up the three hooks" sh -c "cd '$pc' && pre-commit install >/dev/null"
printf 'def f():\n    raise NotImplementedError\n' > "$pc/b.py"; git -C "$pc" add b.py
check "through pre-commit, the installed assay refuses a staged stub" expect_status 1 git -C "$pc" commit -q -m "Add f"
printf 'def f():\n    return 1\n' > "$pc/b.py"; git -C "$pc" add b.py
check "through pre-commit, a clean commit goes through" git -C "$pc" commit -q -m "Add f"

check "man assay renders the page" sh -c "MANPAGER=cat MANWIDTH=100 man assay 2>&1 | grep -q 'assay init'"
check "the bash completion loads and completes subcommands" bash -c "source /usr/share/bash-completion/completions/assay && complete -p assay >/dev/null \
  && COMP_WORDS=(assay in) COMP_CWORD=1 COMP_LINE='assay in' COMP_POINT=8 && \$(complete -p assay | sed 's/.*-F \\([^ ]*\\) .*/\\1/') && printf '%s\n' \"\${COMPREPLY[@]}\" | grep -qx init"

tar -xzf "$TARBALL" -C "$work"
check "the tarball's binary runs" sh -c "[ \"\$('$work/assay-$VERSION/bin/assay' --version)\" = '$VERSION' ]"

[ "$failures" = 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "dist test: every check passed"
