#!/usr/bin/env python3
"""Audit benchmark: `assay audit --staged` on a typical change (10 files, 200 added lines) in the
snapshot corpus (50,000 files at the tip, 20,000 commits) — target: median wall time under 100 ms,
process start included. The floor printed beside it is `git diff --cached --stat` on the same change.

A working clone of the corpus is made once in bench/corpus/audit-work (a checkout of 50,000 files).
Each round resets it, writes the change (20 lines appended to each of 10 source files: ordinary code,
two TODOs and one stub, so the audit has findings to report) and stages it with `git add`, as a
pre-commit hook would see it. Then both commands run alternately, each a fresh process.

Beside them, bench/index_floor.c (compiled here with cc) times what libgit2 alone needs before any
audit work can start: initialising (it loads the system's CA certificates) and loading the index.

Each audit also writes its receipt (a line in the note on HEAD under refs/notes/assay/receipts), as
every `assay audit` does; the receipts are removed before each case.

Cases:
  warm        the usual hook run: assay has seen this HEAD before (its file-listing cache is current)
  new HEAD    the first run after a commit: the cached listing is carried forward by a tree diff
  no cache    the first run in a clone: the listing of HEAD's 50,000 files is built from its trees

Usage: python3 bench/audit_bench.py [--runs 21] [--assay PATH]
"""
import argparse, os, random, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = HERE / "corpus" / "history-20000-50000"
WORK = HERE / "corpus" / "audit-work"
TARGET_MS = 100.0


def git(*args, cwd=WORK, check=True):
    r = subprocess.run(["git", *args], cwd=cwd, capture_output=True)
    if check and r.returncode != 0:
        sys.exit(f"git {' '.join(args)} failed: {r.stderr.decode(errors='replace')}")
    return r.stdout


def timed(argv, ok=(0, 1)):
    start = time.perf_counter()
    r = subprocess.run(argv, cwd=WORK, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = (time.perf_counter() - start) * 1000
    if r.returncode not in ok:
        sys.exit(f"{' '.join(argv)} exited {r.returncode}: {r.stderr.decode(errors='replace')}")
    return elapsed, r.stdout


def prepare():
    if not CORPUS.exists():
        r = subprocess.run([sys.executable, str(HERE / "gen_history.py"), str(CORPUS)])
        if r.returncode != 0:
            sys.exit("corpus generation failed")
    if not (WORK / ".git").exists():
        print(f"cloning the corpus into {WORK} (a checkout of 50,000 files, once)", flush=True)
        subprocess.run(["git", "clone", "-q", str(CORPUS), str(WORK)], check=True)
        git("config", "user.name", "bench")
        git("config", "user.email", "bench@example.com")


def change_files():
    files = [f for f in git("ls-files").decode().split("\n") if f.rsplit(".", 1)[-1] in ("ts", "rs", "py", "go", "swift")]
    return random.Random(11).sample(sorted(files), 10)


def write_change(files):
    """Appends 20 lines to each file (200 in all) and stages them."""
    for k, path in enumerate(files):
        ext = path.rsplit(".", 1)[-1]
        comment = "#" if ext == "py" else "//"
        lines = [f"{comment} change {k} line {i}: ordinary code follows" if i % 5 == 0 else
                 (f"x_{k}_{i} = {i}" if ext == "py" else f"let x_{k}_{i} = {i};") for i in range(20)]
        if k in (2, 7):
            lines[3] = f"{comment} TODO: handle the empty case ({k})"
        if k == 4:
            lines[9] = {"py": "raise NotImplementedError", "rs": "todo!()", "go": 'panic("TODO")',
                        "swift": 'fatalError("TODO")'}.get(ext, 'throw new Error("not implemented")')
        with open(WORK / path, "a") as f:
            f.write("\n".join(lines) + "\n")
    git("add", *files)


def reset():
    git("reset", "-q", "--hard")
    git("clean", "-fdq")
    # Each audit leaves a receipt in refs/notes/assay/receipts on HEAD: start every measurement
    # from none, so that earlier benchmark runs' receipts do not pile up on the corpus's tip.
    git("update-ref", "-d", "refs/notes/assay/receipts", check=False)


def summarize(label, samples):
    med = statistics.median(samples)
    return med, f"{label:<44} median {med:7.1f} ms   min {min(samples):6.1f}   max {max(samples):6.1f}   (n={len(samples)})"


def parse_args(doc, runs):
    """The benchmarks' common options (--runs, --assay); returns them and the binary's absolute path."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=runs)
    ap.add_argument("--assay", default=str(ROOT / ".build" / "release" / "assay"))
    args = ap.parse_args()
    assay = str(Path(args.assay).resolve())
    if not Path(assay).exists():
        sys.exit(f"no assay binary at {assay}: run `make build` first")
    return args, assay


def clean_tip():
    """Prepares the working clone and puts it back at the corpus's tip, clean (an interrupted earlier
    run may have left bench commits on top of it); returns the tip."""
    prepare()
    start_head = (git("rev-parse", "-q", "--verify", "refs/remotes/origin/HEAD", check=False) or git("rev-parse", "HEAD")).decode().strip()
    git("reset", "-q", "--hard", start_head)
    reset()
    return start_head


def main():
    args, assay = parse_args(__doc__, 21)
    start_head = clean_tip()
    files = change_files()
    write_change(files)
    stat = git("diff", "--cached", "--stat").decode().strip().split("\n")[-1]
    print(f"change: {stat}", flush=True)
    audit = [assay, "audit", "--staged", "--format", "json"]
    floor = ["git", "diff", "--cached", "--stat"]

    # Sanity: the audit sees the change and its findings.
    _, out = timed(audit)
    import json
    report = json.loads(out)
    rules = sorted(f["rule"] for f in report["findings"])
    print(f"audit: {report['summary']['files']} files, {report['summary']['added_lines']} added lines, findings {rules}", flush=True)
    if report["summary"]["files"] != 10 or report["summary"]["added_lines"] != 200:
        sys.exit("the audit did not see the 10-file, 200-line change")

    # Warm: alternate the two commands so both see the same machine state.
    g, a = [], []
    for _ in range(args.runs):
        g.append(timed(floor)[0])
        a.append(timed(audit)[0])
    gm, gline = summarize("git diff --cached --stat", g)
    am, aline = summarize("assay audit --staged (warm)", a)
    print(gline)
    print(aline)

    # New HEAD: commit the change, stage another; the first audit carries the listing forward.
    cache = Path(git("rev-parse", "--absolute-git-dir").decode().strip()) / "assay" / "cache"
    n = []
    for i in range(5):
        git("commit", "-q", "-m", f"bench round {i}", "--no-verify")
        write_change(files)
        n.append(timed(audit)[0])
    _, nline = summarize("assay audit --staged (first run after a commit)", n)
    print(nline)
    git("reset", "-q", "--hard", start_head)
    write_change(files)

    c = []
    for _ in range(5):
        shutil.rmtree(cache, ignore_errors=True)
        c.append(timed(audit)[0])
    _, cline = summarize("assay audit --staged (no listing cache)", c)
    print(cline)
    git("reset", "-q", "--hard", start_head)
    reset()

    # The libgit2 floor: a C program that only initialises libgit2 and loads the same index.
    floor_bin = Path(tempfile.mkdtemp()) / "index_floor"
    cflags = subprocess.run(["pkg-config", "--cflags", "--libs", "libgit2"], capture_output=True, text=True).stdout.split()
    if subprocess.run(["cc", "-O2", str(HERE / "index_floor.c"), "-o", str(floor_bin), *cflags]).returncode == 0:
        index_file = Path(git("rev-parse", "--absolute-git-dir").decode().strip()) / "index"
        inits, loads = [], []
        for _ in range(args.runs):
            out = subprocess.run([str(floor_bin), str(index_file)], capture_output=True, text=True).stdout.split()
            inits.append(float(out[0])); loads.append(float(out[1]))
        print(f"{'libgit2 floor: git_libgit2_init':<44} median {statistics.median(inits):7.1f} ms")
        print(f"{'libgit2 floor: git_index_open (' + out[2] + ' entries)':<44} median {statistics.median(loads):7.1f} ms"
              f"   min {min(loads):6.1f}   max {max(loads):6.1f}")
        shutil.rmtree(floor_bin.parent, ignore_errors=True)

    ratio = am / gm if gm else float("inf")
    print(f"\nratio warm audit / git diff --cached --stat: {ratio:.2f}x")
    met = am < TARGET_MS
    print(f"target: median under {TARGET_MS:.0f} ms including process start — {'met' if met else 'MISSED'} ({am:.1f} ms)")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
