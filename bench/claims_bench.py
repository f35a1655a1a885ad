#!/usr/bin/env python3
"""Claims benchmark: `assay claims` verifies 1,000 claims against the snapshot corpus (50,000 files at
the tip, 20,000 commits of history) — target: under 1 s wall.

The claims live in one doc committed on a side branch (`bench-claims`, built with plumbing: the
corpus's main branch, index and work tree are untouched): 500 checked items naming files that exist,
200 naming files deleted in history, 150 sentences naming files that never existed, and 150 line
counts (half right, half wrong). The ledger is brought up to date before the timed runs (the first
`assay snapshot` of a repository is timed by snapshot_bench.py); each timed run is a fresh process.

Usage: python3 bench/claims_bench.py [--runs 5] [--assay PATH]
"""
import argparse, json, os, random, statistics, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = HERE / "corpus" / "history-20000-50000"
TARGET_S = 1.0


def git(*args, input=None, env=None):
    e = dict(os.environ, **(env or {}))
    r = subprocess.run(["git", "-C", str(CORPUS), *args], input=input, capture_output=True, env=e)
    if r.returncode != 0:
        sys.exit(f"git {' '.join(args)} failed: {r.stderr.decode(errors='replace')}")
    return r.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--assay", default=str(ROOT / ".build" / "release" / "assay"))
    args = ap.parse_args()
    if not Path(args.assay).exists():
        sys.exit(f"no assay binary at {args.assay}: run `swift build -c release` first")
    if not CORPUS.exists():
        r = subprocess.run([sys.executable, str(HERE / "gen_history.py"), str(CORPUS)])
        if r.returncode != 0:
            sys.exit("corpus generation failed")

    rng = random.Random(7)
    tip = git("rev-parse", "refs/heads/main").decode().strip()
    files = [l for l in git("ls-tree", "-r", "--name-only", "-z", tip).split(b"\0") if l]
    files = [f.decode() for f in files if f.isascii() and b" " not in f and f.decode().rsplit(".", 1)[-1] in ("ts", "rs", "py", "go", "swift", "md")]
    deleted = []
    log = git("log", "--diff-filter=D", "--name-only", "--format=", "--no-renames", tip).decode().split("\n")
    alive = set(files)
    for p in log:
        if p and p not in alive and p.isascii() and " " not in p and p.rsplit(".", 1)[-1] in ("ts", "rs", "py", "go", "swift", "md"):
            deleted.append(p)
    deleted = sorted(set(deleted))
    exist = rng.sample(files, 500)
    gone = rng.sample(deleted, min(200, len(deleted)))
    counted = rng.sample(files, 150)
    lines = ["# Claims benchmark", "", "## Shipped", ""]
    for i, p in enumerate(exist + gone):
        lines.append(f"- [x] T{i:04d} `{p}`")
    lines += ["", "## Notes", ""]
    for i in range(150):
        lines.append(f"- Created `src/never/ghost{i:03d}.ts` for the ghost feature")
    for i, p in enumerate(counted):
        blob = git("cat-file", "-p", f"{tip}:{p}")
        n = blob.count(b"\n") + (0 if blob.endswith(b"\n") or not blob else 1)
        claimed = n if i % 2 == 0 else n + 3
        lines.append(f"- Done: `{p}` ({claimed} lines)")
    doc = ("\n".join(lines) + "\n").encode()
    expected_claims = len(exist) + len(gone) + 150 + 150

    # Commit the doc on a side branch with a temporary index: main, the index and the work tree stay as they are.
    with tempfile.TemporaryDirectory() as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        blob = git("hash-object", "-w", "--stdin", input=doc).decode().strip()
        git("read-tree", tip, env=env)
        git("update-index", "--add", "--cacheinfo", f"100644,{blob},docs/CLAIMS_BENCH.md", env=env)
        tree = git("write-tree", env=env).decode().strip()
    commit = git("commit-tree", tree, "-p", tip, "-m", "bench: 1,000 claims",
                 env={"GIT_AUTHOR_DATE": "1800000000 +0000", "GIT_COMMITTER_DATE": "1800000000 +0000"}).decode().strip()
    git("update-ref", "refs/heads/bench-claims", commit)

    base = [args.assay, "claims", "--repo", str(CORPUS), "--at", commit, "--format", "json"]
    warm = subprocess.run(base, capture_output=True)  # brings the ledger up to date (one new commit)
    if warm.returncode not in (0, 1, 3):
        sys.exit(f"assay claims failed ({warm.returncode}): {warm.stderr.decode(errors='replace')}")
    walls = []
    report = None
    for _ in range(args.runs):
        t0 = time.perf_counter()
        r = subprocess.run(base, capture_output=True)
        walls.append(time.perf_counter() - t0)
        report = json.loads(r.stdout)
    claims = [c for c in report["claims"] if c["verdict"] != "abstain" and c["source"]["path"] == "docs/CLAIMS_BENCH.md"]
    by = {}
    for c in claims:
        by[c["verdict"]] = by.get(c["verdict"], 0) + 1
    median = statistics.median(walls)
    print(f"machine: nproc {os.cpu_count()}, assay {args.assay}")
    print(f"corpus:  {CORPUS.name}: {len(files)} source files sampled from {len(alive)} at the tip, {len(deleted)} deleted paths in history")
    print(f"claims:  {len(claims)} checked (expected {expected_claims}): " + ", ".join(f"{v} {k}" for k, v in sorted(by.items())))
    print(f"wall:    median {median:.3f} s over {args.runs} runs (min {min(walls):.3f}, max {max(walls):.3f}); "
          f"target < {TARGET_S:.1f} s  {'met' if median < TARGET_S else 'MISSED'}")
    ok = len(claims) == expected_claims and by.get("contradicted", 0) == len(gone) + 150 + 75 and by.get("verified", 0) == len(exist) + 75
    if not ok:
        print("CHECK FAILED: verdict counts differ from what the generated doc implies", file=sys.stderr)
        return 1
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    out = results / f"claims-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
    out.write_text(json.dumps({"median_s": median, "walls_s": walls, "claims": len(claims), "verdicts": by, "target_s": TARGET_S}, indent=2))
    print(f"summary written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
