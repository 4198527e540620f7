#!/usr/bin/env python3
"""Runs every script in Scripts/ with the built nanoatoms and checks what it prints and writes.

  python3 Tests/Scripts/check_scripts.py [path/to/nanoatoms]

Every Scripts/*.nano must have a check here: an unchecked script fails. Prints one line per
check and "N passed, N failed"; exits 1 on any failure.
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXE = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "release", "nanoatoms"))
results = []


def check(name, condition, detail=""):
    results.append(bool(condition))
    print(("ok: " if condition else "FAILED: ") + name + ("" if condition else f" ({detail})"))


def number(text, pattern):
    m = re.search(pattern, text)
    return float(m.group(1)) if m else None


def run(script, *args):
    p = subprocess.run([EXE, os.path.join(ROOT, "Scripts", script), *args], capture_output=True, text=True, cwd=ROOT)
    check(f"{script} runs (exit {p.returncode})", p.returncode == 0, p.stderr.strip()[-400:])
    return p.stdout


def demo(out):
    text = run("demo.nano", out)
    common = number(text, r"common with the truth: ([0-9.]+) %")
    check("demo: at least 97 % of the true atoms found", common is not None and common >= 97, common)
    delta = number(text, r"penetration depth delta_cn: ([0-9.]+) A")
    check("demo: delta_cn between 2 and 7 A", delta is not None and 2 <= delta <= 7, delta)
    check("demo: prints the Table 1 row", "median_cn" in text and "core_ratio" in text, text[:200])
    for f in ("model.pdb", "atoms.csv", "cn_depth.csv"):
        check(f"demo: writes {f}", os.path.getsize(os.path.join(out, f)) > 100)
    with open(os.path.join(out, "model.pdb")) as fh:
        pdb = fh.read()
    check("demo: the PDB has ANISOU records", "ANISOU" in pdb)
    import xml.etree.ElementTree as ET
    for f in ("cn_depth.svg", "uiso_by_cn.svg", "slab_cn.svg", "threshold_search.svg"):
        path = os.path.join(out, f)
        try:
            root = ET.parse(path).getroot()
            ok = root.tag.endswith("svg") and len(list(root.iter())) > 50
        except Exception as e:  # noqa: BLE001 - any parse failure is the finding
            ok = False
        check(f"demo: writes {f} as well-formed SVG", ok, path)


def tutorial(out):
    text = run("tutorial.nano")
    common = number(text, r"against the truth: common ([0-9.]+) %")
    check("tutorial: at least 95 % of the true atoms found at SNR 4", common is not None and common >= 95, common)
    steps = re.findall(r"^(\d)\. ", text, re.M)
    check("tutorial: explains all nine steps", steps == [str(i) for i in range(1, 10)], steps)
    delta = number(text, r"delta for CN: ([0-9.]+) A")
    check("tutorial: delta for CN between 2 and 7 A", delta is not None and 2 <= delta <= 7, delta)
    check("tutorial: shows the threshold curve and the depth fit in the terminal",
          "Otsu" in text and "┊" in text and "●" in text and re.search(r"δ = [0-9.]+ Å", text), text[-300:])
    check("tutorial: shows Uiso binned by CN as a table", re.search(r"^\s+12\s+\d+\s+0\.\d+", text, re.M), text[-300:])


def batch(out):
    text = run("batch.nano", out)
    check("batch: finds the 3 maps it wrote", "analysing 3 maps" in text, text[:200])
    rows = re.findall(r"snr(\d)\.mrc atoms (\d+) median_cn ([0-9.]+)", text)
    check("batch: one result line per map", len(rows) == 3, rows)
    check("batch: about 201 atoms in every map", all(190 <= int(n) <= 215 for _, n, _ in rows), rows)
    written = sorted(os.listdir(os.path.join(out, "results")))
    check("batch: one table per map", written == ["snr4.csv", "snr6.csv", "snr8.csv"], written)


def part1_part2(out):
    text = run("part1_part2.nano")
    common = number(text, r"common ([0-9.]+) % displaced")
    check("part1_part2: most atoms common to both halves", common is not None and common >= 85, common)
    lost = number(text, r"lost ([0-9.]+) %")
    check("part1_part2: few atoms lost", lost is not None and lost <= 12, lost)


def model_from_elsewhere(out):
    # A model made by another program: an Au decahedron from ASE (five twinned grains).
    from ase.cluster import Decahedron
    from ase.io import write
    model = os.path.join(out, "decahedron.xyz")
    write(model, Decahedron("Au", 4, 3, 2, latticeconstant=4.08))
    text = run("model_from_elsewhere.nano", model)
    m = re.search(r"the model: (\d+) atoms, lattice (\w+) a ([0-9.]+)", text)
    check("model_from_elsewhere: the decahedron's lattice is fitted per grain, ā within 0.5 % of 4.08 Å",
          m and m.group(2) == "grain_lsq" and abs(float(m.group(3)) / 4.08 - 1) < 0.005, m and m.groups())
    r = re.search(r"rebuilt: (\d+) atoms, common ([0-9.]+) %, lattice (\w+) a ([0-9.]+)", text)
    check("model_from_elsewhere: the map rendered from it rebuilds ≥ 98 % of its atoms, per-grain lattice, same ā to 0.3 %",
          r and float(r.group(2)) >= 98 and r.group(3) == "grain_lsq" and m and abs(float(r.group(4)) / float(m.group(3)) - 1) < 0.003,
          r and r.groups())
    check("model_from_elsewhere: show says the structure, the sites and the flag", "5 fcc grains" in text and "{111}" in text
          and "not_single_crystal" in text, text[:300])


def surface_and_core(out):
    import csv
    text = run("surface_and_core.nano", out)
    rows = list(csv.DictReader(open(os.path.join(out, "atoms.csv"))))
    cn = [float(r["cn"]) for r in rows]
    u = [float(r["uiso"]) for r in rows]
    depth = [float(r["radial_depth"]) for r in rows]
    def mean(v):
        v = [x for x in v if x == x]
        return sum(v) / len(v)
    for name, keep in (("surface", [c < 9 for c in cn]), ("core", [c == 12 for c in cn])):
        m = re.search(name + r": (\d+) atoms, mean uiso ([0-9.]+)", text)
        n = sum(keep)
        mu = mean([x for x, k in zip(u, keep) if k])
        check(f"surface_and_core: the {name} selection's count and mean Uiso match atoms.csv ({n}, {mu:.5f})",
              m and int(m.group(1)) == n and abs(float(m.group(2)) - mu) < 1e-5, m and m.groups())
    s = re.search(r"shell 2 - 4 A: (\d+) atoms, mean cn ([0-9.]+)", text)
    inside = [c for c, d in zip(cn, depth) if 2 <= d < 4]
    check("surface_and_core: the user-defined shell command selects what atoms.csv says",
          s and int(s.group(1)) == len(inside) and abs(float(s.group(2)) - mean(inside)) < 1e-4, s and s.groups())
    cuts = [(float(a), float(b)) for a, b in re.findall(r"cutoff ([0-9.]+) A: median cn ([0-9.]+)", text)]
    check("surface_and_core: the bond-cutoff analysis runs at 3 radii, median CN growing with the radius (past the 2nd shell above 12)",
          len(cuts) == 3 and cuts[0][1] <= cuts[1][1] < cuts[2][1] and cuts[2][1] > 12, cuts)
    check("surface_and_core: the surface moves more than the core (simulated so)", "the surface moves more than the core" in text, text[-300:])


CHECKS = {"surface_and_core.nano": surface_and_core, "demo.nano": demo, "model_from_elsewhere.nano": model_from_elsewhere, "tutorial.nano": tutorial, "batch.nano": batch, "part1_part2.nano": part1_part2}

for script in sorted(f for f in os.listdir(os.path.join(ROOT, "Scripts")) if f.endswith(".nano")):
    p = subprocess.run([EXE, "check", os.path.join(ROOT, "Scripts", script)], capture_output=True, text=True)
    check(f"{script} passes nanoatoms check", p.returncode == 0, p.stderr.strip())
    if script not in CHECKS:
        check(f"{script} has a check in Tests/Scripts/check_scripts.py", False, "add one")
        continue
    with tempfile.TemporaryDirectory() as out:
        CHECKS[script](out)

passed, failed = sum(results), len(results) - sum(results)
print(f"scripts: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
