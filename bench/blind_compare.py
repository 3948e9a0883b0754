"""Compare two blind_bench runs (the .json files it writes): named wrong files per question, before and after,
and every wrong file whose diagnosis changed, with its bug line, so that each new name can be checked.

    python bench/blind_compare.py BEFORE.json AFTER.json [--title TEXT] > bench/results/blind-diag.md
"""

from __future__ import annotations

import argparse
import json
import pathlib
from collections import defaultdict


def cell(text) -> str:
    return str(text if text is not None else "—").replace("|", "\\|").replace("\n", " ")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--title", default="Blind corpus: named wrong files before and after")
    args = ap.parse_args()
    runs = [json.loads(pathlib.Path(p).read_text(encoding="utf-8")) for p in (args.before, args.after)]
    rows = [{(r["question"], r["file"]): r for r in run["files"]} for run in runs]
    per_q: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])  # wrong, before, after, generic, passed
    for key, after in rows[1].items():
        if after["label"] != "wrong":
            continue
        before = rows[0].get(key, {})
        s = per_q[key[0]]
        s[0] += 1
        s[1] += before.get("diagnosis") is not None
        s[2] += after["diagnosis"] is not None
        s[3] += str(after["diagnosis"]).startswith("generic:")
        s[4] += after["passed"]
    total = [sum(col) for col in zip(*per_q.values())]
    out = [f"# {args.title}", "", f"Before: `{runs[0]['command']}`; after: `{runs[1]['command']}`.", "",
           "| question | wrong | named before | named after | of them generic | wrong files that pass |",
           "|---|---|---|---|---|---|"]
    for qid, (w, b, a, g, p) in sorted(per_q.items()):
        out.append(f"| {qid} | {w} | {b} | {a} | {g} | {p} |")
    w, b, a, g, p = total
    out.append(f"| **all** | {w} | {b} ({b / w:.0%}) | {a} ({a / w:.0%}) | {g} | {p} |")
    for label, run in zip(("before", "after"), runs):
        t = run["total"]
        out.append(f"\n{label}: {t['files']} files, false accepts {t['false_accepts']}, false rejects "
                   f"{t['false_rejects']}, named {t['named']}/{t['wrong']}.")
    out += ["", "## Every wrong file whose diagnosis changed", "",
            "| file | bug | before | after | after: title |", "|---|---|---|---|---|"]
    for key, after in sorted(rows[1].items()):
        before = rows[0].get(key, {})
        if after["label"] == "wrong" and before.get("diagnosis") != after["diagnosis"]:
            title = (after.get("diagnosis_text") or {}).get("title", {}).get("en")
            out.append(f"| {key[0]}/{key[1]} | {cell(after['bug'])} | {cell(before.get('diagnosis'))} | "
                       f"{cell(after['diagnosis'])} | {cell(title)} |")
    out += ["", "## Wrong files that fail and are still unnamed", "", "| file | bug | status | failed checks |",
            "|---|---|---|---|"]
    for key, after in sorted(rows[1].items()):
        if after["label"] == "wrong" and not after["passed"] and after["diagnosis"] is None:
            out.append(f"| {key[0]}/{key[1]} | {cell(after['bug'])} | {after['status']} | "
                       f"{cell(', '.join(after.get('failed_checks') or []))} |")
    print("\n".join(out))


if __name__ == "__main__":
    main()
