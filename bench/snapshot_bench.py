#!/usr/bin/env python3
"""Benchmark `assay snapshot` against `git log` on a large history.

Cases (each measured --runs times; the median wall time and the largest peak
RSS are reported):
  paths        git log --name-status --no-renames HEAD
               vs  assay snapshot --repo R            (cold ledger)
  stats        git log --numstat --no-renames HEAD
               vs  assay snapshot --repo R --stats    (cold ledger)
  incremental  one new commit on top of an up-to-date ledger
               vs  git log -1 --name-status (for reference); target 100 ms
  peak RSS     assay vs git log in the paths and stats cases

"Cold ledger" means $GIT_COMMON_DIR/assay is deleted before each assay run.

Without --repo, the synthetic corpus bench/corpus/history-<commits>-<files> is
generated (or reused) with bench/gen_history.py. The incremental case adds its
commits to that corpus directly and puts refs back afterwards.

With --repo, the repository is used as it is. Nothing in it is changed except
its $GIT_COMMON_DIR/assay directory, which the full runs delete (so any
existing ledger there is lost). The incremental case runs on a temporary
`git clone --mirror` of it, which is removed at the end.

A summary is written to bench/results/snapshot-<UTC timestamp>.json.
Exit status: 0 when every command succeeded and every check passed (missed
performance targets are reported as MISSED but do not fail), 1 when a check
failed, 2 when a command failed.
"""

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
INCREMENTAL_FILE = b"assay-bench-incremental.txt"
# assay exits 3 when some objects are unreadable (partial clone); the JSON
# then reports missing_objects, which is warned about.
ASSAY_OK = (0, 3)

PATHS_TARGET, PATHS_AIM = 1.0, 0.5
STATS_TARGET, STATS_AIM = 1.5, 1.0
INCREMENTAL_TARGET_MS = 100.0


class CommandFailed(Exception):
    pass


def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--repo", help="repository to measure (default: the generated corpus)")
    p.add_argument("--assay", help="assay binary (default: <repo root>/.build/release/assay)")
    p.add_argument("--runs", type=int, default=3, help="runs per case (default 3)")
    p.add_argument("--commits", type=int, default=20000,
                   help="corpus commits when --repo is not given (default 20000)")
    p.add_argument("--files", type=int, default=50000,
                   help="corpus tip files when --repo is not given (default 50000)")
    args = p.parse_args(argv)
    if args.runs < 1:
        p.error("--runs must be at least 1")
    return args


# --------------------------------------------------------------------------
# Process helpers


def run(argv, env=None, input=None):
    """Run an auxiliary command and return its stdout; raise on failure."""
    r = subprocess.run(argv, input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env)
    if r.returncode != 0:
        raise CommandFailed(f"{' '.join(map(str, argv))} exited {r.returncode}\n"
                            f"{r.stderr.decode(errors='replace')}")
    return r.stdout


def git(repo, *args, env=None, input=None):
    return run(["git", "-C", str(repo), *args], env=env, input=input)


def maxrss_mib(ru):
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    if sys.platform == "darwin":
        return ru.ru_maxrss / (1024 * 1024)
    return ru.ru_maxrss / 1024


def measure(argv, capture=False, ok_codes=(0,)):
    """Run argv with stdout to /dev/null (or a temp file when capture),
    returning (wall seconds, peak RSS MiB, captured stdout)."""
    argv = [str(a) for a in argv]
    devnull = os.open(os.devnull, os.O_RDWR)
    out = tempfile.TemporaryFile() if capture else None
    err = tempfile.TemporaryFile()
    try:
        actions = [
            (os.POSIX_SPAWN_DUP2, devnull, 0),
            (os.POSIX_SPAWN_DUP2, out.fileno() if capture else devnull, 1),
            (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
        ]
        start = time.perf_counter()
        pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions)
        _, status, ru = os.wait4(pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in ok_codes:
            err.seek(0)
            raise CommandFailed(f"{' '.join(argv)} exited {code}\n"
                                f"{err.read().decode(errors='replace')}")
        captured = b""
        if capture:
            out.seek(0)
            captured = out.read()
        return wall, maxrss_mib(ru), captured
    finally:
        os.close(devnull)
        err.close()
        if out is not None:
            out.close()


# --------------------------------------------------------------------------
# Repository helpers


def common_dir(repo):
    out = git(repo, "rev-parse", "--path-format=absolute", "--git-common-dir")
    return Path(out.decode().strip())


def ledger_dir(repo):
    return common_dir(repo) / "assay"


def clear_ledger(repo):
    d = ledger_dir(repo)
    if d.name == "assay" and d.exists():
        shutil.rmtree(d)


def head_sha(repo):
    return git(repo, "rev-parse", "HEAD").decode().strip()


def commit_count(repo):
    return int(git(repo, "rev-list", "--count", "HEAD").strip())


def tip_files(repo):
    return git(repo, "ls-tree", "-r", "-z", "--name-only", "HEAD").count(b"\0")


def warm_page_cache(repo):
    """Read the object store once so the first measured command does not pay
    for cold disk reads."""
    objects = common_dir(repo) / "objects"
    total = 0
    for path in sorted((objects / "pack").glob("*.pack")):
        with open(path, "rb") as f:
            while True:
                chunk = f.read(1 << 22)
                if not chunk:
                    break
                total += len(chunk)
    return total


BENCH_IDENT = {
    "GIT_AUTHOR_NAME": "Assay Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Assay Bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def add_commit(repo, n):
    """Create one commit on top of HEAD changing INCREMENTAL_FILE, without
    touching the index or work tree, and move HEAD's branch to it.
    Returns (ref that moved or "HEAD", old sha, new sha)."""
    old = head_sha(repo)
    body = f"incremental run {n} on top of {old} at {time.time_ns()}\n".encode()
    blob = git(repo, "hash-object", "-w", "--stdin", input=body).decode().strip()
    entries = [e for e in git(repo, "ls-tree", "-z", "HEAD").split(b"\0") if e]
    entries = [e for e in entries if e.split(b"\t", 1)[1] != INCREMENTAL_FILE]
    entries.append(b"100644 blob " + blob.encode() + b"\t" + INCREMENTAL_FILE)
    tree = git(repo, "mktree", "-z", input=b"\0".join(entries) + b"\0").decode().strip()
    env = dict(os.environ, **BENCH_IDENT)
    new = git(repo, "commit-tree", tree, "-p", old, "-m", f"assay bench incremental {n}",
              env=env).decode().strip()
    r = subprocess.run(["git", "-C", str(repo), "symbolic-ref", "-q", "HEAD"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if r.returncode == 0:
        ref = r.stdout.decode().strip()
        git(repo, "update-ref", ref, new, old)
    else:
        ref = "HEAD"
        git(repo, "update-ref", "--no-deref", "HEAD", new, old)
    return ref, old, new


# --------------------------------------------------------------------------
# Reporting helpers


def fmt_s(x):
    return f"{x:.3f} s"


def summarize(samples):
    walls = [s[0] for s in samples]
    return {"wall_s": walls, "median_s": statistics.median(walls),
            "max_rss_mib": max(s[1] for s in samples)}


def verdict(value, target):
    return "met" if value <= target else "MISSED"


class Checks:
    def __init__(self):
        self.failed = []
        self.warnings = []

    def fail(self, msg):
        self.failed.append(msg)
        print("\n" + "!" * 72, file=sys.stderr)
        print(f"!!! CHECK FAILED: {msg}", file=sys.stderr)
        print("!" * 72 + "\n", file=sys.stderr)

    def warn(self, msg):
        self.warnings.append(msg)
        print(f"warning: {msg}", file=sys.stderr)


def check_snapshot_json(checks, label, raw, expect_new, expect_head):
    text = raw.decode(errors="replace").strip()
    obj = None
    try:
        obj = json.loads(text)
    except ValueError:
        # Tolerate log lines before the JSON object.
        lines = text.splitlines()
        for i in range(len(lines)):
            try:
                obj = json.loads("\n".join(lines[i:]))
                break
            except ValueError:
                continue
    if not isinstance(obj, dict):
        checks.fail(f"{label}: assay did not print a JSON object: {text[:300]!r}")
        return None
    missing = [k for k in ("schema", "head", "new_commits", "known_commits", "missing_objects")
               if k not in obj]
    if missing:
        checks.fail(f"{label}: JSON lacks keys {missing}: {text[:300]}")
        return obj
    if expect_new is not None and obj["new_commits"] != expect_new:
        checks.fail(f"{label}: new_commits is {obj['new_commits']}, expected {expect_new}")
    if isinstance(obj["head"], str) and obj["head"] != expect_head:
        checks.warn(f"{label}: head is {obj['head']}, HEAD is {expect_head}")
    if obj["missing_objects"]:
        checks.warn(f"{label}: missing_objects is {obj['missing_objects']}")
    return obj


# --------------------------------------------------------------------------


def prepare_corpus(args):
    corpus = BENCH_DIR / "corpus" / f"history-{args.commits}-{args.files}"
    print(f"corpus: generating or reusing {corpus}", flush=True)
    r = subprocess.run([sys.executable, str(BENCH_DIR / "gen_history.py"), str(corpus),
                        "--commits", str(args.commits), "--files", str(args.files)])
    if r.returncode != 0:
        raise CommandFailed(f"gen_history.py exited {r.returncode}")
    return corpus


def full_case(name, repo, assay, git_args, assay_extra, runs, expected, head, checks):
    git_samples, assay_samples = [], []
    for i in range(runs):
        git_samples.append(measure(["git", "-C", repo, *git_args]))
        clear_ledger(repo)
        a = measure([assay, "snapshot", "--repo", repo, *assay_extra, "--format", "json"],
                    capture=True, ok_codes=ASSAY_OK)
        assay_samples.append(a)
        check_snapshot_json(checks, f"{name} run {i + 1}", a[2], expected, head)
        print(f"  {name} run {i + 1}/{runs}: git {fmt_s(git_samples[-1][0])}, "
              f"assay {fmt_s(a[0])}", flush=True)
    g, a = summarize(git_samples), summarize(assay_samples)
    return {
        "git_command": "git log " + " ".join(git_args[1:]),
        "assay_command": " ".join(["assay snapshot --repo R", *assay_extra, "--format json"]),
        "git": g, "assay": a,
        "ratio": a["median_s"] / g["median_s"] if g["median_s"] else None,
        "rss_ratio": a["max_rss_mib"] / g["max_rss_mib"] if g["max_rss_mib"] else None,
    }


def incremental_case(repo, assay, runs, generated, checks):
    """Returns the case summary. Works on repo directly when generated (and
    restores its refs), otherwise on a temporary mirror clone."""
    tmp = None
    moved = []  # (ref, original sha) to restore
    try:
        if generated:
            target = Path(repo)
        else:
            tmp = Path(tempfile.mkdtemp(prefix="assay-bench-"))
            target = tmp / "mirror.git"
            print(f"  cloning {repo} to {target} for the incremental case", flush=True)
            run(["git", "clone", "-q", "--mirror", str(repo), str(target)])
        # Bring the ledger up to date (untimed).
        before = commit_count(target)
        wall, _, raw = measure([assay, "snapshot", "--repo", target, "--format", "json"],
                               capture=True, ok_codes=ASSAY_OK)
        warm = check_snapshot_json(checks, "incremental warm-up", raw, None, head_sha(target))
        if warm is not None:
            print(f"  incremental warm-up (untimed): {fmt_s(wall)}, new_commits "
                  f"{warm.get('new_commits')}, known_commits {warm.get('known_commits')}",
                  flush=True)
        assay_samples, git_samples = [], []
        for i in range(runs):
            ref, old, new = add_commit(target, i + 1)
            if not any(r == ref for r, _ in moved):
                moved.append((ref, old))
            a = measure([assay, "snapshot", "--repo", target, "--format", "json"],
                        capture=True, ok_codes=ASSAY_OK)
            assay_samples.append(a)
            check_snapshot_json(checks, f"incremental run {i + 1}", a[2], 1, new)
            git_samples.append(measure(["git", "-C", target, "log", "-1", "--name-status",
                                        "--no-renames", "HEAD"]))
            print(f"  incremental run {i + 1}/{runs}: assay {a[0] * 1000:.1f} ms, "
                  f"git log -1 {git_samples[-1][0] * 1000:.1f} ms", flush=True)
        after = commit_count(target)
        if after != before + runs:
            checks.fail(f"incremental: expected {before + runs} commits after the runs, "
                        f"found {after}")
        a, g = summarize(assay_samples), summarize(git_samples)
        return {"target_repo": "corpus" if generated else "temporary mirror clone",
                "assay": a, "git_log_1": g,
                "median_ms": a["median_s"] * 1000,
                "target_ms": INCREMENTAL_TARGET_MS}
    finally:
        if generated:
            for ref, sha in moved:
                if ref == "HEAD":
                    git(repo, "update-ref", "--no-deref", "HEAD", sha)
                else:
                    git(repo, "update-ref", ref, sha)
            if moved:
                # The ledger now records commits no longer on any ref.
                clear_ledger(repo)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def machine_facts(assay):
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count()
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = round(int(line.split()[1]) / (1024 * 1024), 1)
    except OSError:
        pass
    return {
        "nproc": nproc, "cpu": cpu, "mem_gib": mem_gib,
        "platform": platform.platform(),
        "git_version": run(["git", "--version"]).decode().strip(),
        "assay": str(assay), "python": platform.python_version(),
    }


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    checks = Checks()

    assay = Path(args.assay).absolute() if args.assay else ROOT / ".build" / "release" / "assay"
    if not (assay.is_file() and os.access(assay, os.X_OK)):
        print(f"error: assay binary not found at {assay}\n"
              f"build it first: (cd {ROOT} && swift build -c release)", file=sys.stderr)
        return 2

    try:
        if args.repo:
            repo = Path(args.repo).absolute()
            generated = False
            git(repo, "rev-parse", "--verify", "-q", "HEAD^{commit}")
        else:
            repo = prepare_corpus(args)
            generated = True

        facts = machine_facts(assay)
        head = head_sha(repo)
        n_commits = commit_count(repo)
        n_files = tip_files(repo)
        print()
        print(f"machine: nproc {facts['nproc']}, {facts['cpu']}, "
              f"{facts['mem_gib']} GiB RAM, {facts['git_version']}, assay {assay}")
        print(f"corpus:  {repo}: {n_commits} commits (HEAD), {n_files} files at the tip, "
              f"HEAD {head[:12]}")
        if not generated:
            print(f"note: {ledger_dir(repo)} is deleted before each full run")
        mib = warm_page_cache(repo) / (1024 * 1024)
        print(f"warmed page cache: read {mib:.0f} MiB of packs; {args.runs} run(s) per case\n",
              flush=True)

        cases = {}
        cases["paths"] = full_case("paths", repo, assay,
                                   ["log", "--name-status", "--no-renames", "HEAD"], [],
                                   args.runs, n_commits, head, checks)
        cases["stats"] = full_case("stats", repo, assay,
                                   ["log", "--numstat", "--no-renames", "HEAD"], ["--stats"],
                                   args.runs, n_commits, head, checks)
        cases["incremental"] = incremental_case(repo, assay, args.runs, generated, checks)
    except CommandFailed as e:
        print(f"\nerror: command failed: {e}", file=sys.stderr)
        return 2

    p, s, inc = cases["paths"], cases["stats"], cases["incremental"]
    p["target"], p["aim"] = PATHS_TARGET, PATHS_AIM
    s["target"], s["aim"] = STATS_TARGET, STATS_AIM
    p["met"] = p["ratio"] <= PATHS_TARGET
    s["met"] = s["ratio"] <= STATS_TARGET
    inc["met"] = inc["median_ms"] <= INCREMENTAL_TARGET_MS

    print()
    print(f"results (median of {args.runs} run(s); RSS = largest peak)")
    print(f"paths   git log --name-status  {fmt_s(p['git']['median_s']):>10}   "
          f"assay snapshot          {fmt_s(p['assay']['median_s']):>10}   "
          f"ratio {p['ratio']:.2f}  (target ≤ {PATHS_TARGET}, aim {PATHS_AIM})  "
          f"{verdict(p['ratio'], PATHS_TARGET)}")
    print(f"stats   git log --numstat      {fmt_s(s['git']['median_s']):>10}   "
          f"assay snapshot --stats  {fmt_s(s['assay']['median_s']):>10}   "
          f"ratio {s['ratio']:.2f}  (target ≤ {STATS_TARGET}, aim {STATS_AIM})  "
          f"{verdict(s['ratio'], STATS_TARGET)}")
    print(f"incr    git log -1 --name-status {inc['git_log_1']['median_s'] * 1000:>7.1f} ms   "
          f"assay snapshot +1 commit {inc['median_ms']:>7.1f} ms   "
          f"(target ≤ {INCREMENTAL_TARGET_MS:.0f} ms)  "
          f"{verdict(inc['median_ms'], INCREMENTAL_TARGET_MS)}")
    print(f"rss     paths: git {p['git']['max_rss_mib']:.1f} MiB   "
          f"assay {p['assay']['max_rss_mib']:.1f} MiB   ratio {p['rss_ratio']:.2f}")
    print(f"rss     stats: git {s['git']['max_rss_mib']:.1f} MiB   "
          f"assay {s['assay']['max_rss_mib']:.1f} MiB   ratio {s['rss_ratio']:.2f}")

    now = dt.datetime.now(dt.timezone.utc)
    summary = {
        "benchmark": "snapshot",
        "timestamp_utc": now.isoformat(timespec="seconds"),
        "machine": facts,
        "corpus": {"path": str(repo), "generated": generated,
                   "params": {"commits": args.commits, "files": args.files} if generated else None,
                   "commits": n_commits, "tip_files": n_files, "head": head},
        "runs": args.runs,
        "cases": cases,
        "checks_failed": checks.failed,
        "warnings": checks.warnings,
    }
    results = BENCH_DIR / "results"
    results.mkdir(parents=True, exist_ok=True)
    out = results / f"snapshot-{now.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"\nsummary written to {out}")

    if checks.failed:
        print(f"\n{len(checks.failed)} CHECK(S) FAILED:", file=sys.stderr)
        for msg in checks.failed:
            print(f"  - {msg}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
