#!/usr/bin/env python3
"""Generate a deterministic synthetic git history for benchmarking assay.

The repository is a regular (non-bare) repository whose history lives in
OUT_DIR/.git; the work tree is left empty (nothing is checked out, so
`git status` in OUT_DIR reports every file as deleted) unless --checkout is
given. refs/heads/main holds the history and HEAD points at it.

The history is written as a `git fast-import` stream produced by a seeded
random.Random, with fixed author names, e-mails and timestamps derived from
the commit index, so the same arguments give byte-identical commits (same
hashes) on every run.

Shape of the history:
  * a root commit holding ~80% of the files, spread over a directory tree
    two to four levels deep, with mixed extensions (.ts .rs .py .go .md .swift);
  * ordinary commits that each modify 1-6 existing files (changed, inserted
    and deleted lines), sometimes add files (so the tip ends with exactly
    --files files) and sometimes delete one;
  * about 1 in 40 commits is a merge of a short side branch (2-4 commits
    forked from a recent main commit), with two parents;
  * about 1 in 200 commits adds or changes a small binary file (with NUL bytes);
  * a few paths that are not valid UTF-8 (e.g. b'caf\\xe9.txt').

--commits counts every commit reachable from main, side-branch commits
included, so `git rev-list --count main` equals --commits exactly.

If OUT_DIR already holds a history generated with the same parameters (see
OUT_DIR/.git/assay-bench-params.json) it is reused as is. Generation happens
in a temporary sibling directory that is renamed into place at the end, so an
interrupted run never leaves a half-built corpus behind.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

GENERATOR_VERSION = 1
PARAMS_FILE = "assay-bench-params.json"
BASE_TIME = 1700000000
STEP_SECONDS = 600
SIDE_REF = b"refs/heads/assay-bench-side"

AUTHORS = [
    (b"Ada Lovelace", b"ada@example.com"),
    (b"Alan Turing", b"alan@example.com"),
    (b"Grace Hopper", b"grace@example.com"),
    (b"Edsger Dijkstra", b"edsger@example.com"),
    (b"Barbara Liskov", b"barbara@example.com"),
    (b"Donald Knuth", b"donald@example.com"),
    (b"Frances Allen", b"frances@example.com"),
    (b"Ken Thompson", b"ken@example.com"),
    (b"Margaret Hamilton", b"margaret@example.com"),
    (b"John Backus", b"john@example.com"),
    (b"Radia Perlman", b"radia@example.com"),
    (b"Tony Hoare", b"tony@example.com"),
]
COMMITTER = (b"Bench Bot", b"bench@example.com")

# Extension weights, and the comment prefix used for each file's header line.
EXTENSIONS = [b"ts", b"rs", b"py", b"go", b"md", b"swift"]
EXT_WEIGHTS = [30, 20, 15, 15, 8, 12]
COMMENT = {b"ts": b"//", b"rs": b"//", b"py": b"#", b"go": b"//", b"md": b"<!--", b"swift": b"//"}

WORDS = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi "
    "omicron pi rho sigma tau upsilon phi chi psi omega value result index count "
    "buffer stream parser token node tree graph ledger commit snapshot path blob "
    "config option handler request response error state cache entry record"
).split()

# Paths that are not valid UTF-8 (written raw into the stream).
NON_UTF8_PATHS = [
    b"docs/i18n/caf\xe9.txt",
    b"docs/i18n/na\xefve-\xff.md",
    b"assets/legacy/r\xe9sum\xe9-\x80\x81.txt",
]


def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("out_dir", metavar="OUT_DIR", help="directory to create the repository in")
    p.add_argument("--commits", type=int, default=20000,
                   help="commits reachable from main (default 20000, minimum 10)")
    p.add_argument("--files", type=int, default=50000,
                   help="files in the tip tree (default 50000, minimum 50)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--force", action="store_true",
                   help="replace OUT_DIR if it exists, is non-empty and was not "
                        "generated with the same parameters")
    p.add_argument("--checkout", action="store_true",
                   help="also populate the index and work tree (slower, more disk); "
                        "part of the parameters")
    args = p.parse_args(argv)
    if args.commits < 10:
        p.error("--commits must be at least 10")
    if args.files < 50:
        p.error("--files must be at least 50")
    return args


# --------------------------------------------------------------------------
# Stream helpers


def quote_path(path: bytes) -> bytes:
    """Quote a path for fast-import when it needs it (C-style quoting)."""
    if not (path.startswith(b'"') or b"\n" in path or b"\\" in path or b'"' in path
            or b" " in path):
        return path
    out = bytearray(b'"')
    for c in path:
        if c == 0x22:
            out += b'\\"'
        elif c == 0x5C:
            out += b"\\\\"
        elif c == 0x0A:
            out += b"\\n"
        elif c < 0x20 or c == 0x7F:
            out += b"\\%03o" % c
        else:
            out.append(c)
    out += b'"'
    return bytes(out)


class Generator:
    def __init__(self, commits, files, seed):
        self.n_commits = commits
        self.n_files = files
        self.rng = random.Random(seed)
        self.out = []          # pending stream chunks
        self.out_size = 0
        self.sink = None
        self.next_mark = 0
        self.commit_index = 0  # commits emitted so far (drives timestamps)
        self.file_counter = 0  # unique id for new text files
        self.bin_counter = 0
        # Current state of main's tip.
        self.text_paths = []   # list of bytes paths (order matters: determinism)
        self.text_pos = {}     # path -> index in text_paths
        self.content = {}      # path -> bytes (text and binary files)
        self.bin_paths = []
        self.special_paths = list(NON_UTF8_PATHS)
        # (mark, set of paths touched) for the recent main commits since the last merge.
        self.recent = []
        self.main_mark = None
        self.stats = {"merges": 0, "side_commits": 0, "binary_commits": 0,
                      "deletes": 0, "adds": 0}
        self._make_dirs()
        self._make_pools()

    # -- setup ---------------------------------------------------------------

    def _make_dirs(self):
        rng = self.rng
        n_dirs = max(8, self.n_files // 40)
        tops = [b"src", b"lib", b"pkg", b"app", b"tools", b"tests", b"vendor", b"docs"]
        dirs = []
        seen = set()
        while len(dirs) < n_dirs:
            depth = rng.choice((2, 3, 3, 4))
            top = rng.choice(tops)
            parts = [top, b"mod%03d" % rng.randrange(max(4, n_dirs // 6))]
            if depth >= 3:
                parts.append(b"sub%d" % rng.randrange(8))
            if depth >= 4:
                parts.append(b"part%d" % rng.randrange(4))
            d = b"/".join(parts)
            if d not in seen:
                seen.add(d)
                dirs.append(d)
        self.dirs = dirs

    def _make_pools(self):
        rng = self.rng
        pools = {}
        for ext in EXTENSIONS:
            lines = []
            for _ in range(600):
                w = [rng.choice(WORDS) for _ in range(rng.randrange(2, 7))]
                indent = b"    " * rng.randrange(0, 3)
                if ext == b"md":
                    line = " ".join(w).capitalize() + "."
                elif ext == b"py":
                    line = "%s = %s(%s)" % (w[0], w[1], ", ".join(w[2:]))
                elif ext == b"go":
                    line = "%s := %s(%s)" % (w[0], w[1], ", ".join(w[2:]))
                elif ext == b"rs":
                    line = "let %s = %s(%s);" % (w[0], w[1], ", ".join(w[2:]))
                elif ext == b"swift":
                    line = "let %s = %s(%s)" % (w[0], w[1], ", ".join(w[2:]))
                else:
                    line = "const %s = %s(%s);" % (w[0], w[1], ", ".join(w[2:]))
                lines.append(indent + line.encode() + b"\n")
            pools[ext] = lines
        pools[b"txt"] = pools[b"md"]
        self.pools = pools

    # -- output --------------------------------------------------------------

    def w(self, *chunks):
        for c in chunks:
            self.out.append(c)
            self.out_size += len(c)
        if self.out_size >= (1 << 20):
            self.flush()

    def flush(self):
        if self.out:
            self.sink.write(b"".join(self.out))
            self.out = []
            self.out_size = 0

    def mark(self):
        self.next_mark += 1
        return self.next_mark

    def data(self, payload: bytes):
        self.w(b"data %d\n" % len(payload), payload, b"\n")

    def commit_header(self, ref, mark, message: bytes):
        i = self.commit_index
        self.commit_index += 1
        name, email = AUTHORS[self.rng.randrange(len(AUTHORS))]
        when = BASE_TIME + i * STEP_SECONDS
        self.w(b"commit ", ref, b"\n",
               b"mark :%d\n" % mark,
               b"author %s <%s> %d +0000\n" % (name, email, when),
               b"committer %s <%s> %d +0000\n" % (COMMITTER[0], COMMITTER[1], when + 30))
        self.data(message)

    def modify_inline(self, path, payload):
        self.w(b"M 100644 inline ", quote_path(path), b"\n")
        self.data(payload)

    # -- content -------------------------------------------------------------

    @staticmethod
    def ext_of(path):
        dot = path.rfind(b".")
        return path[dot + 1:] if dot >= 0 else b"txt"

    def new_text(self, path):
        rng = self.rng
        ext = self.ext_of(path)
        pool = self.pools.get(ext, self.pools[b"md"])
        header = b"%s %s (seed line %d)\n" % (COMMENT.get(ext, b"#"), path, rng.randrange(1 << 30))
        return header + b"".join(rng.choices(pool, k=rng.randrange(10, 61)))

    def edit_text(self, path, old):
        rng = self.rng
        pool = self.pools.get(self.ext_of(path), self.pools[b"md"])
        lines = old.splitlines(keepends=True)
        for _ in range(rng.randrange(1, 4)):
            op = rng.randrange(3)
            n = len(lines)
            if n > 60:
                op = 2
            elif n < 12:
                op = 1
            if op == 0:      # change a few lines
                at = rng.randrange(1, n)
                for j in range(at, min(n, at + rng.randrange(1, 3))):
                    lines[j] = rng.choice(pool)
            elif op == 1:    # insert lines
                at = rng.randrange(1, n + 1)
                lines[at:at] = rng.choices(pool, k=rng.randrange(1, 5))
            else:            # delete lines (never the header)
                at = rng.randrange(1, n)
                del lines[at:at + rng.randrange(1, 4)]
        return b"".join(lines)

    def new_binary(self):
        rng = self.rng
        n = rng.randrange(64, 1024)
        body = bytes(rng.getrandbits(8) for _ in range(n))
        return b"\x89BIN\x00\x01\x00\x00" + body

    def new_text_path(self):
        self.file_counter += 1
        d = self.dirs[self.rng.randrange(len(self.dirs))]
        ext = self.rng.choices(EXTENSIONS, EXT_WEIGHTS)[0]
        return b"%s/file%05d.%s" % (d, self.file_counter, ext)

    def new_bin_path(self):
        self.bin_counter += 1
        return b"assets/bin/blob%04d.bin" % self.bin_counter

    def add_text_path(self, path):
        self.text_pos[path] = len(self.text_paths)
        self.text_paths.append(path)

    def remove_text_path(self, path):
        i = self.text_pos.pop(path)
        last = self.text_paths.pop()
        if last != path:
            self.text_paths[i] = last
            self.text_pos[last] = i
        del self.content[path]

    def file_count(self):
        return len(self.text_paths) + len(self.bin_paths) + len(self.special_paths)

    # -- commits -------------------------------------------------------------

    def root_commit(self):
        n_root = int(self.n_files * 0.8)
        mark = self.mark()
        self.commit_header(b"refs/heads/main", mark, b"Initial import\n")
        for p in self.special_paths:
            c = self.new_text(p)
            self.content[p] = c
            self.modify_inline(p, c)
        for _ in range(2):
            p = self.new_bin_path()
            c = self.new_binary()
            self.bin_paths.append(p)
            self.content[p] = c
            self.modify_inline(p, c)
        while self.file_count() < n_root:
            p = self.new_text_path()
            c = self.new_text(p)
            self.add_text_path(p)
            self.content[p] = c
            self.modify_inline(p, c)
        self.main_mark = mark
        self.recent = [(mark, set())]

    def pick_text(self, exclude=None, tries=50):
        rng = self.rng
        for _ in range(tries):
            p = self.text_paths[rng.randrange(len(self.text_paths))]
            if exclude is None or p not in exclude:
                return p
        return None

    def normal_commit(self, number, last):
        """One commit on main. `number` is its 0-based index among all commits."""
        rng = self.rng
        touched = set()
        changes = []   # (path, payload or None for delete)
        # Modify 1-6 existing text files.
        for _ in range(rng.randrange(1, 7)):
            p = self.pick_text(exclude=touched)
            if p is None:
                continue
            touched.add(p)
            self.content[p] = self.edit_text(p, self.content[p])
            changes.append((p, self.content[p]))
        # Touch a non-UTF-8 path now and then (always once early on).
        if number == 3 or rng.randrange(500) == 0:
            p = self.special_paths[rng.randrange(len(self.special_paths))]
            touched.add(p)
            self.content[p] = self.edit_text(p, self.content[p])
            changes.append((p, self.content[p]))
        # Binary file: add or change (always once early on).
        if number == 2 or rng.randrange(200) == 0:
            self.stats["binary_commits"] += 1
            if self.bin_paths and rng.randrange(2) == 0:
                p = self.bin_paths[rng.randrange(len(self.bin_paths))]
            else:
                p = self.new_bin_path()
                self.bin_paths.append(p)
            touched.add(p)
            self.content[p] = self.new_binary()
            changes.append((p, self.content[p]))
        # Delete a file sometimes (never in the last commit).
        if not last and rng.randrange(50) == 0:
            p = self.pick_text(exclude=touched)
            if p is not None:
                touched.add(p)
                self.remove_text_path(p)
                changes.append((p, None))
                self.stats["deletes"] += 1
        # Add files to follow a linear ramp towards the target; the last commit
        # adds whatever is left.
        progress = (number + 1) / self.n_commits
        n_root = int(self.n_files * 0.8)
        want = self.n_files if last else n_root + int((self.n_files - n_root) * progress)
        while last and self.file_count() > self.n_files:
            p = self.pick_text(exclude=touched)
            touched.add(p)
            self.remove_text_path(p)
            changes.append((p, None))
            self.stats["deletes"] += 1
        for _ in range(max(0, want - self.file_count())):
            p = self.new_text_path()
            c = self.new_text(p)
            self.add_text_path(p)
            self.content[p] = c
            touched.add(p)
            changes.append((p, c))
            self.stats["adds"] += 1

        mark = self.mark()
        msg = b"Change %d: update %d file(s)\n" % (number, len(changes))
        self.commit_header(b"refs/heads/main", mark, msg)
        for p, c in changes:
            if c is None:
                self.w(b"D ", quote_path(p), b"\n")
            else:
                self.modify_inline(p, c)
        self.main_mark = mark
        self.recent.append((mark, touched))
        if len(self.recent) > 4:
            self.recent.pop(0)

    def merge_group(self, first_number, n_side):
        """n_side commits on a side branch forked from a recent main commit,
        then a merge commit on main. Returns the number of commits emitted."""
        rng = self.rng
        back = rng.randrange(len(self.recent))  # 0 = fork from the tip
        base_mark = self.recent[-1 - back][0]
        excluded = set()
        for _, t in self.recent[len(self.recent) - back:]:
            excluded |= t
        side = {}      # path -> (blob mark, content)
        added = []
        side_mark = None
        for k in range(n_side):
            changes = []
            for _ in range(rng.randrange(1, 4)):
                p = self.pick_text(exclude=excluded)
                if p is None:
                    continue
                excluded.add(p)
                old = side[p][1] if p in side else self.content[p]
                changes.append((p, self.edit_text(p, old)))
            if rng.randrange(4) == 0:
                p = self.new_text_path()
                changes.append((p, self.new_text(p)))
                added.append(p)
                excluded.add(p)
            for p, c in changes:
                bm = self.mark()
                self.w(b"blob\nmark :%d\n" % bm)
                self.data(c)
                side[p] = (bm, c)
            m = self.mark()
            self.commit_header(SIDE_REF, m, b"Side work %d.%d\n" % (first_number, k + 1))
            if k == 0:
                self.w(b"from :%d\n" % base_mark)
            for p, c in changes:
                self.w(b"M 100644 :%d " % side[p][0], quote_path(p), b"\n")
            side_mark = m
        # Merge commit on main: first parent main's tip, second the side tip.
        mark = self.mark()
        self.commit_header(b"refs/heads/main", mark,
                           b"Merge side branch %d\n" % first_number)
        self.w(b"from :%d\n" % self.main_mark, b"merge :%d\n" % side_mark)
        touched = set()
        for p, (bm, c) in side.items():
            self.w(b"M 100644 :%d " % bm, quote_path(p), b"\n")
            self.content[p] = c
            touched.add(p)
        for p in added:
            self.add_text_path(p)
            self.stats["adds"] += 1
        self.main_mark = mark
        self.recent = [(mark, touched)]
        self.stats["merges"] += 1
        self.stats["side_commits"] += n_side
        return n_side + 1

    def run(self, sink):
        self.sink = sink
        self.w(b"feature done\n")
        self.root_commit()
        emitted = 1
        rng = self.rng
        while emitted < self.n_commits:
            remaining = self.n_commits - emitted
            if remaining > 6 and emitted > 1 and rng.randrange(40) == 0:
                emitted += self.merge_group(emitted, rng.randrange(2, 5))
            else:
                self.normal_commit(emitted, last=(remaining == 1))
                emitted += 1
        self.w(b"done\n")
        self.flush()


# --------------------------------------------------------------------------


def git(repo, *args, **kw):
    return subprocess.run(["git", "-C", str(repo), *args], check=True, **kw)


def git_out(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], check=True,
                          stdout=subprocess.PIPE).stdout


def params_of(args):
    return {"generator_version": GENERATOR_VERSION, "commits": args.commits,
            "files": args.files, "seed": args.seed, "checkout": bool(args.checkout)}


def report(repo, started, reused):
    commits = int(git_out(repo, "rev-list", "--count", "main").strip())
    out = git_out(repo, "ls-tree", "-r", "-z", "--name-only", "main")
    files = out.count(b"\0")
    verb = "reused" if reused else "generated"
    print(f"{verb}: {repo}")
    print(f"commits on main: {commits}")
    print(f"files at tip:    {files}")
    print(f"elapsed:         {time.monotonic() - started:.1f} s")


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.monotonic()
    out_dir = Path(args.out_dir).absolute()
    params = params_of(args)

    if out_dir.exists():
        if not out_dir.is_dir():
            sys.exit(f"error: {out_dir} exists and is not a directory")
        pfile = out_dir / ".git" / PARAMS_FILE
        if pfile.is_file():
            try:
                stored = json.loads(pfile.read_text())
            except (OSError, ValueError):
                stored = None
            if stored == params:
                print(f"reusing existing corpus (same parameters): {out_dir}")
                report(out_dir, started, reused=True)
                return 0
        if any(out_dir.iterdir()):
            if not args.force:
                sys.exit(f"error: {out_dir} is not empty and was not generated with these "
                         f"parameters; pass --force to replace it")
            print(f"--force: removing {out_dir}")
            shutil.rmtree(out_dir)

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.parent / f".{out_dir.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    try:
        subprocess.run(["git", "init", "-q", "-b", "main", str(tmp)], check=True)
        git(tmp, "config", "gc.auto", "0")
        git(tmp, "config", "core.quotePath", "true")
        proc = subprocess.Popen(["git", "-C", str(tmp), "fast-import", "--quiet"],
                                stdin=subprocess.PIPE, bufsize=1 << 20)
        gen = Generator(args.commits, args.files, args.seed)
        try:
            gen.run(proc.stdin)
            proc.stdin.close()
        except BrokenPipeError:
            pass
        if proc.wait() != 0:
            sys.exit(f"error: git fast-import failed (exit {proc.returncode})")
        git(tmp, "update-ref", "-d", SIDE_REF.decode())
        git(tmp, "symbolic-ref", "HEAD", "refs/heads/main")
        if args.checkout:
            git(tmp, "reset", "-q", "--hard", "main")
        (tmp / ".git" / PARAMS_FILE).write_text(json.dumps(params, sort_keys=True) + "\n")
        if out_dir.exists():
            out_dir.rmdir()  # empty (checked above)
        tmp.rename(out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    s = gen.stats
    print(f"merges: {s['merges']} (side commits {s['side_commits']}), "
          f"binary commits: {s['binary_commits']}, files added: {s['adds']}, "
          f"deleted: {s['deletes']}")
    report(out_dir, started, reused=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
