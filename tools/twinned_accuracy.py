#!/usr/bin/env python3
"""ā and CN on twinned particles: ASE decahedra and icosahedra rendered as maps by
`nanoatoms simulate --model`, built by `nanoatoms run`, scored by the scipy peer's
compare_models.py (the true CN of the rendered model is computed by the simulator with the
lattice constant ASE built with).

Usage: twinned_accuracy.py BINARY [--peers ../shared/peers/pypeer] [--snr 6]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

from ase.cluster import Decahedron, Icosahedron, Octahedron
from ase.io import write

p = argparse.ArgumentParser()
p.add_argument("binary")
p.add_argument("--peers", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "peers", "pypeer"))
p.add_argument("--snr", default="6")
p.add_argument("--run-binary", help="build the models with this binary instead (an older nanoatoms, to compare)")
a = p.parse_args()

particles = [
    ("Au decahedron", Decahedron("Au", 4, 3, 2, latticeconstant=4.08), "Au", 4.08),
    ("Pd decahedron", Decahedron("Pd", 5, 4, 2, latticeconstant=3.89), "Pd", 3.89),
    ("Pt decahedron", Decahedron("Pt", 6, 3, 3, latticeconstant=3.92), "Pt", 3.92),
    ("Au icosahedron", Icosahedron("Au", 5, latticeconstant=4.08), "Au", 4.08),
    ("Pt icosahedron", Icosahedron("Pt", 6, latticeconstant=3.92), "Pt", 3.92),
    ("Pt octahedron", Octahedron("Pt", 9, 3, latticeconstant=3.92), "Pt", 3.92),
]
print("| particle | atoms found (true) | recall | precision | CN exact | lattice | ā Å (built) | δ_CN Å [95 %] | flags |")
print("|---|---|---|---|---|---|---|---|---|")
with tempfile.TemporaryDirectory() as tmp:
    for name, cluster, element, a_true in particles:
        stem = os.path.join(tmp, name.replace(" ", "_"))
        write(stem + ".xyz", cluster)
        subprocess.run([a.binary, "simulate", "--model", stem + ".xyz", "--element", element, "--snr", a.snr, "--seed", "3",
                        "--out", stem + ".mrc", "--truth", stem + ".truth.csv"], check=True, capture_output=True)
        subprocess.run([a.run_binary or a.binary, "run", stem + ".mrc", "--element", element, "--out", stem + "_run"], check=True, capture_output=True)
        s = json.load(open(stem + "_run/summary.json"))
        score = json.loads(subprocess.run([sys.executable, os.path.join(a.peers, "compare_models.py"), stem + "_run/atoms.csv",
                                           stem + ".truth.csv"], check=True, capture_output=True, text=True).stdout)
        lat = s["lattice"]
        interval = s.get("delta_cn_interval") or [float("nan")] * 2
        a_mean = lat.get("a_mean", float("nan"))
        flags = ", ".join(f["code"] for f in s["quality_flags"]) or "none"
        print(f"| {name} {len(cluster)} | {s['table1']['natoms']} ({len(cluster)}) | {score['recall']:.3f} | {score['precision']:.3f} | "
              f"{score['cn_exact']:.3f} | {lat['method']} | {a_mean:.3f} ({a_true}) | "
              f"{s['delta_cn']:.2f} [{interval[0]:.1f}–{interval[1]:.1f}] | {flags} |")
