#!/usr/bin/env python3
"""Coverage figures on the shared third-party corpora (not part of `cargo test`).

  python3 tools/coverage.py GUARD [CORPUS_DIR]      # CORPUS_DIR defaults to ../shared/corpus

tldr: the share of real-world commands (tldr-pages examples, key-press rows left out) that
guard asks about or denies: its false-alarm rate.
GTFOBins: for each function, the unique examples that guard does not allow, or whose Plan lists
the shell (or `/path/to/command`) that would run ("seen"). Every command is judged with HOME
and the working directory in fresh temporary directories.
"""
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

SHELLS = {"sh", "bash", "dash", "zsh", "ksh", "mksh", "csh", "tcsh", "fish", "ash", "rbash", "yash", "posh",
          "oksh", "loksh", "pdksh", "ksh93", "sash", "rc", "es", "elvish", "nu", "xonsh", "ion"}
KEY = re.compile(r"<(Ctrl|Alt|Shift|Enter|Esc|Tab|Space|Backspace|Up|Down|Left|Right|Cmd|Super|Meta|Home|End|"
                 r"PageUp|PageDown|Delete|F\d+|[a-zA-Z0-9:!/?.,;=+\-\[\]\\'\"`~@#$%^&*()_|{} ])[^>]*>")


def judge(guard, commands, explain=False):
    home, cwd = tempfile.mkdtemp(), tempfile.mkdtemp()
    env = {"PATH": "/usr/bin:/bin", "HOME": home, "XDG_CONFIG_HOME": home + "/.config",
           "XDG_STATE_HOME": home + "/.local/state", "XDG_DATA_HOME": home + "/.local/share"}
    if not explain:
        out = subprocess.run([guard, "check", "--json", "--null"], input="".join(c + "\0" for c in commands),
                             capture_output=True, text=True, env=env, cwd=cwd).stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]
    results = []
    for c in commands:
        out = subprocess.run([guard, "explain", "--json", c], capture_output=True, text=True, env=env, cwd=cwd).stdout
        results.append(json.loads(out))
    return results


def tldr(guard, corpus):
    rows = [line.rstrip("\n").split("\t") for line in open(os.path.join(corpus, "tldr.tsv"))][1:]
    commands = [r[3].replace("\0", "") for r in rows if len(r) == 4 and not KEY.search(r[3]) and "\n" not in r[3]]
    decisions = collections.Counter(r["decision"] for r in judge(guard, commands))
    flagged = decisions["ask"] + decisions["deny"]
    print(f"tldr: {len(commands)} commands, {decisions['ask']} ask, {decisions['deny']} deny: "
          f"{flagged} ({100 * flagged / len(commands):.2f}%) flagged")


def seen(plan):
    for inv in plan["invocations"]:
        program = inv["program"]["value"].get("literal")
        if program and (program.rstrip("/").rsplit("/", 1)[-1] in SHELLS or program == "/path/to/command"):
            return True
    return False


def gtfobins(guard, corpus):
    unique = {}
    for line in open(os.path.join(corpus, "gtfobins.jsonl")):
        row = json.loads(line)
        unique.setdefault((row["function"], row["code"]), row)
    keys = sorted(unique)
    plans = judge(guard, [code for _, code in keys], explain=True)
    stats = collections.defaultdict(collections.Counter)
    unseen = []
    for (function, code), plan in zip(keys, plans):
        decision = plan["verdict"]["decision"]
        s = stats[function]
        s["total"] += 1
        s[decision] += 1
        s["seen"] += seen(plan)
        if seen(plan) or decision != "allow":
            s["covered"] += 1
        elif function in ("shell", "command", "reverse-shell", "bind-shell"):
            unseen.append((function, unique[(function, code)]["binary"], code))
    print("GTFOBins (unique examples): function, total, not allowed, seen, seen or not allowed")
    for function in sorted(stats):
        s = stats[function]
        print(f"  {function:21} {s['total']:4} {s['ask'] + s['deny']:4} {s['seen']:4} {s['covered']:4} "
              f"({100 * s['covered'] / s['total']:.0f}%)")
    print("allowed and not seen (shell, command, reverse-shell, bind-shell):")
    for function, binary, code in unseen:
        print(f"  {function:8} {binary:16} {code[:100]!r}")


if __name__ == "__main__":
    guard = os.path.abspath(sys.argv[1])
    corpus = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "corpus")
    tldr(guard, corpus)
    gtfobins(guard, corpus)
