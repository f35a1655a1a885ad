#!/usr/bin/env bash
# The per-object read cost of libgit2 against git's on the same objects in the same (pack) order:
# every tree of a repository, read once by libgit2 (git_odb_read) and once by `git cat-file --batch`.
# Usage: bench/odb_floor.sh [REPO]   (default: the generated snapshot corpus)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=${1:-$here/corpus/history-20000-50000}
[ -d "$repo" ] || { echo "no repository at $repo: run make bench first (it generates the corpus)" >&2; exit 2; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cc -O2 "$here/odb_floor.c" -o "$work/odb_floor" $(pkg-config --cflags --libs libgit2)
gitdir=$(git -C "$repo" rev-parse --absolute-git-dir)
git -C "$repo" cat-file --batch-all-objects --unordered --batch-check='%(objectname) %(objecttype)' \
  | awk '$2 == "tree" { print $1 }' > "$work/trees"
echo "repository: $repo ($(wc -l < "$work/trees") trees)"
"$work/odb_floor" "$gitdir" "$work/trees"
start=$(date +%s.%N)
git -C "$repo" cat-file --batch < "$work/trees" > /dev/null
end=$(date +%s.%N)
python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); n=int(sys.argv[3]); print(f'git cat-file --batch: {n} objects in {s:.3f} s = {s*1e6/n:.1f} us/object')" "$start" "$end" "$(wc -l < "$work/trees")"
