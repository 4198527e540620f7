#!/usr/bin/env python3
"""Golden checksums of `nanoatoms run` outputs: proves a refactor left the outputs unchanged.

    python3 tools/golden.py BINARY MAP.mrc [MAP.mrc ...] --out golden.json
    python3 tools/golden.py BINARY MAP.mrc [MAP.mrc ...] --compare golden.json

Runs `BINARY run MAP --element Pt --threads 2` into a fresh folder per map and hashes every
file it wrote. Only what measures time is taken out before hashing (summary.json's
"timings" object; report.html's "Time per step" table), so any other byte that changes, a
coordinate, a statistic, a figure, changes the checksum. With --compare, prints each file
whose checksum differs and exits 1 if any does.
"""
import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile


IGNORE_TABLE1 = False


def normalised(name, data):
    """The bytes of a run's file with what measures time removed (and, with --ignore-table1,
    the Table 1 row, to show that a change to it changed nothing else)."""
    if name == "summary.json":
        doc = json.loads(data)
        doc.pop("timings", None)
        if IGNORE_TABLE1:
            doc.pop("table1", None)
        return json.dumps(doc, sort_keys=True).encode()
    if name == "report.html":
        text = data.decode()
        text = re.sub(r"<h2>Time per step</h2>.*?</table>", "", text, flags=re.S)
        if IGNORE_TABLE1:
            text = re.sub(r"<h2>The particle \(paper Table 1\)</h2>.*?</table>", "", text, flags=re.S)
        return text.encode()
    return data


def checksums(binary, maps):
    out = {}
    for path in maps:
        name = os.path.basename(path)
        with tempfile.TemporaryDirectory() as tmp:
            folder = os.path.join(tmp, "run")
            subprocess.run([binary, "run", path, "--element", "Pt", "--threads", "2", "--out", folder],
                           check=True, stdout=subprocess.DEVNULL)
            files = {}
            for root, _, names in os.walk(folder):
                for n in names:
                    full = os.path.join(root, n)
                    rel = os.path.relpath(full, folder)
                    with open(full, "rb") as f:
                        files[rel] = hashlib.sha256(normalised(n, f.read())).hexdigest()
            out[name] = dict(sorted(files.items()))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("maps", nargs="+")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--out")
    g.add_argument("--compare")
    ap.add_argument("--ignore-table1", action="store_true", help="leave the Table 1 row out of the comparison")
    a = ap.parse_args()
    global IGNORE_TABLE1
    IGNORE_TABLE1 = a.ignore_table1
    now = checksums(a.binary, a.maps)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(now, f, indent=1)
        print(f"{sum(len(v) for v in now.values())} files on {len(now)} maps -> {a.out}")
        return
    with open(a.compare) as f:
        before = json.load(f)
    differ = 0
    for m, files in now.items():
        old = before.get(m, {})
        for rel in sorted(set(files) | set(old)):
            if files.get(rel) != old.get(rel):
                differ += 1
                print(f"differs: {m} {rel}")
    total = sum(len(v) for v in now.values())
    print(f"{total - differ} of {total} files identical on {len(now)} maps")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
