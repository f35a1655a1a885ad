#!/usr/bin/env python3
"""Hook benchmark: the installed pre-commit and commit-msg hooks (the shell script git runs, then
the assay process it starts) on a typical change in the snapshot corpus (50,000 files at the tip,
20,000 commits) — target: median wall time per hook under 150 ms.

It uses the audit benchmark's working clone (bench/corpus/audit-work) and change (10 files, 200
added lines, staged), installs the two hooks with `assay hooks install`, and runs each hook file
directly as git would: pre-commit with no argument, commit-msg with a message file whose claims
("10 files", a named path) are checked against the staged tree. The anchor printed beside them is
`git diff --cached --stat` on the same change. The hooks are removed again at the end.

Usage: python3 bench/hooks_bench.py [--runs 21] [--assay PATH]
"""
import statistics, sys, tempfile
from pathlib import Path

import audit_bench as ab

TARGET_MS = 150.0


def main():
    args, assay = ab.parse_args(__doc__, 21)
    start_head = ab.clean_tip()
    files = ab.change_files()
    ab.write_change(files)
    print(f"change: {ab.git('diff', '--cached', '--stat').decode().strip().splitlines()[-1]}", flush=True)

    installed = ab.timed([assay, "hooks", "install", "--hook", "pre-commit", "--hook", "commit-msg"], ok=(0,))[1].decode()
    print(installed.strip())
    hooks = Path(ab.git("rev-parse", "--git-path", "hooks").decode().strip())
    if not hooks.is_absolute():
        hooks = ab.WORK / hooks
    message = Path(tempfile.mkdtemp()) / "COMMIT_EDITMSG"
    message.write_text(f"Handle the empty case in 10 files\n\nAdds input handling to `{files[0]}`.\n")
    false_message = message.with_name("FALSE_MSG")
    false_message.write_text("Handle the empty case\n\nAdds `src/does/not/exist.rs`.\n")
    pre_commit = [str(hooks / "pre-commit")]
    commit_msg = [str(hooks / "commit-msg"), str(message)]
    floor = ["git", "diff", "--cached", "--stat"]
    try:
        # Sanity: the hooks do their work (the change carries a stub; a false path is refused).
        import subprocess
        r = subprocess.run(pre_commit, cwd=ab.WORK, capture_output=True, text=True)
        if r.returncode != 1 or "stub-marker" not in r.stderr:
            sys.exit(f"the pre-commit hook did not block the staged stub (exit {r.returncode}): {r.stderr}")
        r = subprocess.run([str(hooks / "commit-msg"), str(false_message)], cwd=ab.WORK, capture_output=True, text=True)
        if r.returncode != 1 or "claim-contradicted" not in r.stderr:
            sys.exit(f"the commit-msg hook did not refuse a false path (exit {r.returncode}): {r.stderr}")
        r = subprocess.run(commit_msg, cwd=ab.WORK, capture_output=True, text=True)
        if r.returncode != 0 or "1 claim checked" not in r.stderr:
            sys.exit(f"the commit-msg hook did not pass a true message (exit {r.returncode}): {r.stderr}")

        g, p, c = [], [], []
        for _ in range(args.runs):
            g.append(ab.timed(floor)[0])
            p.append(ab.timed(pre_commit)[0])
            c.append(ab.timed(commit_msg)[0])
        gm, gline = ab.summarize("git diff --cached --stat", g)
        pm, pline = ab.summarize("pre-commit hook (script + assay)", p)
        cm, cline = ab.summarize("commit-msg hook (script + assay)", c)
        print(gline)
        print(pline)
        print(cline)
        print(f"\nratio pre-commit / git diff --cached --stat: {pm / gm:.2f}x")
        print(f"ratio commit-msg / git diff --cached --stat: {cm / gm:.2f}x")
        met = pm < TARGET_MS and cm < TARGET_MS
        print(f"target: median under {TARGET_MS:.0f} ms per hook — {'met' if met else 'MISSED'} "
              f"(pre-commit {pm:.1f} ms, commit-msg {cm:.1f} ms)")
        return 0 if met else 1
    finally:
        ab.timed([assay, "hooks", "uninstall"], ok=(0,))
        ab.git("reset", "-q", "--hard", start_head)
        ab.reset()


if __name__ == "__main__":
    sys.exit(main())
