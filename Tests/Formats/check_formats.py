#!/usr/bin/env python3
"""Checks the files nanoatoms writes and reads against independent readers and the formats'
documented rules:

- mmCIF (with ADPs), PDB (with a statistic in the B column) and extended XYZ, read back by
  gemmi and ASE: the same atoms, coordinates, U tensors and columns as atoms.csv;
- mmCIF and PDB read back by nanoatoms: the U tensors survive the round trip;
- the ChimeraX script (.cxc) and attribute file (.defattr) of a run and of `export`, checked
  against ChimeraX's documented syntax: known commands, palette stops, files that exist,
  control lines, TAB-separated assignment lines naming each atom once;
- MRC files as other writers make them (machine stamp 0 or IMOD's, nversion 0, cell 0,
  non-cubic voxels), written with mrcfile: read, refused with a line naming --apix, or
  resampled with a flag and the atoms still found.
- provenance: summary.json names the version, the command line and the map's SHA-256.

  python3 Tests/Formats/check_formats.py [path/to/nanoatoms]

Prints one line per check and "N passed, N failed"; exits 1 on any failure.
"""
import csv
import hashlib
import json
import math
import os
import re
import subprocess
import sys
import tempfile

import gemmi
import mrcfile
import numpy as np
from ase.io import read as ase_read

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXE = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "release", "nanoatoms"))
results = []


def check(name, condition, detail=""):
    results.append(bool(condition))
    print(("ok: " if condition else "FAILED: ") + name + ("" if condition else f" ({detail})"))


def run(*args, cwd=None):
    return subprocess.run([EXE, *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def rows_of(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def number(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return math.nan


tmp = tempfile.mkdtemp(prefix="nanoatoms-formats-")

# A simulated map with known atoms, built by `nanoatoms run`.
sim = os.path.join(tmp, "particle.mrc")
p = run("simulate", "--out", sim, "--truth", os.path.join(tmp, "truth.csv"), "--atoms", "309", "--snr", "8", "--seed", "3")
check("simulate writes a map", p.returncode == 0, p.stderr[-300:])
out = os.path.join(tmp, "run")
p = run("run", sim, "--element", "Pt", "--out", out)
check("run builds the model", p.returncode == 0, p.stderr[-300:])
atoms = rows_of(os.path.join(out, "atoms.csv"))
xyz = np.array([[float(r["x"]), float(r["y"]), float(r["z"])] for r in atoms])
n = len(atoms)

# --- provenance ---
summary = json.load(open(os.path.join(out, "summary.json"), encoding="utf-8"))
prov = summary.get("provenance", {})
version = run("--version").stdout.strip()
check("summary.json names the version --version prints", prov.get("version") and prov["version"] in version, (prov.get("version"), version))
check("summary.json has the command line", prov.get("command_line", [])[1:] == ["run", sim, "--element", "Pt", "--out", out], prov.get("command_line"))
sha = hashlib.sha256(open(sim, "rb").read()).hexdigest()
inputs = prov.get("inputs", [])
check("summary.json has the map's SHA-256 (as sha256sum computes it)",
      len(inputs) == 1 and inputs[0]["checksum"] == "sha256:" + sha and inputs[0]["bytes"] == os.path.getsize(sim), inputs)
check("summary.json has the options that change a result", prov.get("options", {}).get("outlier_rule") == "robust"
      and prov["options"].get("element") == "Pt", prov.get("options"))
report = open(os.path.join(out, "report.html"), encoding="utf-8").read()
check("report.html shows the provenance", 'id="provenance"' in report and sha in report and prov["version"] in report)

# --- mmCIF out, with ADPs, read by gemmi ---
st = gemmi.read_structure(os.path.join(out, "model.cif"))
cif_atoms = [a for r in st[0]["A"] for a in r]
pos = np.array([[a.pos.x, a.pos.y, a.pos.z] for a in cif_atoms])
check("gemmi reads every atom of model.cif", len(cif_atoms) == n, (len(cif_atoms), n))
check("model.cif's coordinates equal atoms.csv's (±0.001 Å)", len(cif_atoms) == n and np.abs(pos - xyz).max() < 0.0011)
valid = [i for i, r in enumerate(atoms) if r.get("aniso_valid") == "1"]
keys = ["u11", "u22", "u33", "u12", "u13", "u23"]
u_err = max((abs(getattr(cif_atoms[i].aniso, k) - float(atoms[i][k])) for i in valid for k in keys), default=math.inf)
check("gemmi reads model.cif's anisotropic U, equal to atoms.csv's (±1e-5 Å²)",
      valid and all(cif_atoms[i].aniso.nonzero() for i in valid) and u_err < 1.1e-5, (len(valid), u_err))

# --- the language: export to XYZ, PDB with CN in B, mmCIF, ChimeraX; read mmCIF and PDB back ---
script = os.path.join(tmp, "formats.nano")
open(script, "w").write(f"""
set element Pt
m = load "{sim}"
a = build m
t = stats a
export t "{tmp}/np.xyz"
export t "{tmp}/np_cn.pdb" bfactor="cn"
export t "{tmp}/np.cif"
export t "{tmp}/np.pdb"
export t "{tmp}/chimerax/np.cxc" colour="uiso" map=m
back = load "{tmp}/np.cif"
export back "{tmp}/back_cif.csv"
back2 = load "{tmp}/np.pdb"
export back2 "{tmp}/back_pdb.csv"
""")
p = run(script)
check("the export script runs", p.returncode == 0, (p.stdout + p.stderr)[-400:])

ase_atoms = ase_read(os.path.join(tmp, "np.xyz"), format="extxyz")
check("ASE reads the extended XYZ with every atom", len(ase_atoms) == n, len(ase_atoms))
check("the XYZ's positions equal atoms.csv's (±1e-4 Å)", len(ase_atoms) == n and np.abs(ase_atoms.positions - xyz).max() < 1.1e-4)
check("the XYZ carries CN as a column ASE reads", "cn" in ase_atoms.arrays and
      np.array_equal(ase_atoms.arrays["cn"], np.array([float(r["cn"]) for r in atoms])))
check("the XYZ names the element", set(ase_atoms.get_chemical_symbols()) == {"Pt"})

pdb = gemmi.read_structure(os.path.join(tmp, "np_cn.pdb"))
b = [a.b_iso for r in pdb[0]["A"] for a in r]
check("bfactor=\"cn\" puts CN in the PDB's B column (gemmi reads it)", b == [float(r["cn"]) for r in atoms], b[:5])
check("the PDB's REMARK says the B column holds CN", "the B column holds cn" in open(os.path.join(tmp, "np_cn.pdb")).read())

for name in ["back_cif.csv", "back_pdb.csv"]:
    back = rows_of(os.path.join(tmp, name))
    err = max((abs(float(back[i][k]) - float(atoms[i][k])) for i in valid for k in keys), default=math.inf)
    check(f"U survives the round trip through {name[5:8]} (±1e-4 Å²)", len(back) == n and err < 1.1e-4, err)

# --- ChimeraX: the script and the attribute file, against the documented syntax ---
COMMANDS = {"close", "open", "style", "size", "color", "aniso", "volume", "view"}


def check_chimerax(cxc, label, expect_map):
    folder = os.path.dirname(cxc)
    lines = [l.rstrip("\n") for l in open(cxc, encoding="utf-8")]
    commands = [l for l in lines if l.strip() and not l.startswith("#")]
    words = {l.split()[0] for l in commands}
    check(f"{label}: every line is a comment or a ChimeraX command ({', '.join(sorted(words))})", words <= COMMANDS, words - COMMANDS)
    opened = [re.match(r'open "([^"]+)"$', l).group(1) for l in commands if l.startswith("open ")]
    check(f"{label}: every file it opens exists beside it", opened and all(os.path.exists(os.path.join(folder, f)) for f in opened), opened)
    colour = [l for l in commands if l.startswith("color byattribute ")]
    m = re.match(r"color byattribute (nano_[a-z][a-z0-9_]*) #1 palette ((?:-?[0-9.e+-]+,#[0-9a-f]{6}:?)+) noValueColor #[0-9a-f]{6} key true$",
                 colour[0] if colour else "")
    check(f"{label}: it colours by an attribute with palette stops value,#rrggbb:… rising", m and
          all(float(a.split(",")[0]) < float(b.split(",")[0]) for a, b in zip(m.group(2).split(":"), m.group(2).split(":")[1:])),
          colour)
    check(f"{label}: it shows the thermal ellipsoids", "aniso #1" in commands)
    check(f"{label}: it draws the map as a mesh at a level" if expect_map else f"{label}: it opens no map",
          any(re.match(r"volume #2 level -?[0-9.e+-]+ style mesh$", l) for l in commands) == expect_map)
    defattr = [f for f in opened if f.endswith(".defattr")][0]
    attrs, current, problems, seen = {}, None, [], set()
    for k, line in enumerate(open(os.path.join(folder, defattr), encoding="utf-8")):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        if line.startswith("\t"):
            f = line.split("\t")
            mm = re.match(r"/A:(\d+)$", f[1]) if len(f) == 3 else None
            if current is None or not mm or not (1 <= int(mm.group(1)) <= n) or (current, mm.group(1)) in seen:
                problems.append(k + 1)
                continue
            seen.add((current, mm.group(1)))
            float(f[2])
            attrs[current] += 1
        else:
            key, _, value = line.partition(": ")
            if key == "attribute":
                if not re.match(r"^[a-z][a-z0-9_]*$", value):
                    problems.append(k + 1)
                current = value
                attrs[current] = 0
            elif key not in ("recipient", "match mode", "none handling"):
                problems.append(k + 1)
    check(f"{label}: the .defattr has only control lines and TAB-separated assignments, each atom once per attribute",
          not problems, problems[:5])
    coloured = m.group(1) if m else None
    check(f"{label}: the .defattr defines the attribute the script colours by, for every atom", coloured in attrs and attrs[coloured] == n,
          (coloured, attrs.get(coloured)))
    return attrs


attrs = check_chimerax(os.path.join(out, "model.cxc"), "run's model.cxc", expect_map=True)
check("run's model.cxc opens the input map by its path", f'open "{os.path.realpath(sim)}"' in open(os.path.join(out, "model.cxc")).read()
      or f'open "{sim}"' in open(os.path.join(out, "model.cxc")).read())
check("the .defattr holds CN exactly", "nano_cn" in attrs)
cn_lines = {}
current = None
for line in open(os.path.join(out, "model.defattr")):
    if line.startswith("attribute: "):
        current = line.split(": ")[1].strip()
    elif line.startswith("\t") and current == "nano_cn":
        _, spec, value = line.rstrip("\n").split("\t")
        cn_lines[int(spec[3:])] = float(value)
check("nano_cn of atom k is atoms.csv's CN of row k", cn_lines == {i + 1: float(r["cn"]) for i, r in enumerate(atoms)})
check_chimerax(os.path.join(tmp, "chimerax", "np.cxc"), "export's np.cxc", expect_map=True)
check("export writes the map the script opens", os.path.exists(os.path.join(tmp, "chimerax", "np.mrc")))
check("export's script colours by colour=\"uiso\"", "color byattribute nano_uiso" in open(os.path.join(tmp, "chimerax", "np.cxc")).read())

# --- MRC files from other writers ---
truth = rows_of(os.path.join(tmp, "truth.csv"))
with mrcfile.open(sim, permissive=True) as m:
    data = m.data.copy()
    voxel = float(m.voxel_size.x)


def write_map(path, values, cell, stamp=None, nversion=None):
    with mrcfile.new(path, overwrite=True) as m:
        m.set_data(values.astype(np.float32))
        m.header.cella = cell
    raw = bytearray(open(path, "rb").read())
    if stamp is not None:
        raw[212:216] = bytes(stamp)
    if nversion is not None:
        raw[108:112] = int(nversion).to_bytes(4, "little")
    open(path, "wb").write(bytes(raw))


def atoms_found(folder):
    s = json.load(open(os.path.join(folder, "summary.json"), encoding="utf-8"))
    return s["natoms"], [f["code"] for f in s["quality_flags"]]


nz, ny, nx = data.shape
for label, stamp, nversion in [("machine stamp 0", [0, 0, 0, 0], None), ("IMOD's machine stamp", [0x44, 0x41, 0, 0], None),
                               ("nversion 0", None, 0)]:
    path = os.path.join(tmp, "other.mrc")
    write_map(path, data, (nx * voxel, ny * voxel, nz * voxel), stamp=stamp, nversion=nversion)
    folder = os.path.join(tmp, "other_" + label.replace(" ", "_").replace("'", ""))
    p = run("run", path, "--element", "Pt", "--out", folder)
    check(f"a map with {label} runs like the original", p.returncode == 0 and atoms_found(folder)[0] == n, p.stderr[-200:])

path = os.path.join(tmp, "nocell.mrc")
write_map(path, data, (0, 0, 0))
p = run("run", path, "--element", "Pt", "--out", os.path.join(tmp, "nocell"))
check("a map with cell 0 is refused in one line that asks for --apix", p.returncode != 0 and "--apix" in p.stderr
      and len(p.stderr.strip().splitlines()) == 1 and not os.path.exists(os.path.join(tmp, "nocell")), p.stderr)
p = run("run", path, "--element", "Pt", "--out", os.path.join(tmp, "nocell"), "--apix", str(voxel))
check("… and runs with --apix", p.returncode == 0 and atoms_found(os.path.join(tmp, "nocell"))[0] == n, p.stderr[-200:])

# Non-cubic voxels: every other plane along z dropped, so the voxels are twice as deep.
thin = data[::2]
path = os.path.join(tmp, "aniso.mrc")
write_map(path, thin, (nx * voxel, ny * voxel, thin.shape[0] * 2 * voxel))
folder = os.path.join(tmp, "aniso")
p = run("run", path, "--element", "Pt", "--out", folder)
ok = p.returncode == 0
found, flags = atoms_found(folder) if ok else (0, [])
check("a map with non-cubic voxels is resampled with a flag saying so", ok and "resampled" in flags, (p.stderr[-200:], flags))
if ok:
    got = np.array([[float(r["x"]), float(r["y"]), float(r["z"])] for r in rows_of(os.path.join(folder, "atoms.csv"))])
    want = np.array([[float(r["x"]), float(r["y"]), float(r["z"])] for r in truth])
    d = np.sqrt(((want[:, None, :] - got[None, :, :]) ** 2).sum(-1))
    recall = float((d.min(1) < 0.8).mean())
    check(f"… and its atoms are still found where they are (recall {recall:.3f} ≥ 0.95)", recall >= 0.95)

failed = results.count(False)
print(f"formats: {len(results) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
