#!/usr/bin/env python3
"""Checks the pictures a run makes with real renderers: every plots/*.svg that
`nanoatoms demo` writes is drawn to PNG by librsvg's rsvg-convert, and report.html is opened in
headless Chromium, which must load it without errors, show every figure and take a screenshot.

  python3 Tests/Report/check_report.py [path/to/nanoatoms] [--screenshot FILE]

Prints one line per check and "N passed, N failed"; exits 1 on any failure.
"""
import csv
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
args = [a for a in sys.argv[1:]]
screenshot = None
if "--screenshot" in args:
    i = args.index("--screenshot")
    screenshot = os.path.abspath(args[i + 1])
    del args[i:i + 2]
EXE = os.path.abspath(args[0] if args else os.path.join(ROOT, ".build", "release", "nanoatoms"))
results = []


def check(name, condition, detail=""):
    results.append(bool(condition))
    print(("ok: " if condition else "FAILED: ") + name + ("" if condition else f" ({detail})"))


def is_png(path, minimum):
    if not os.path.exists(path):
        return False
    with open(path, "rb") as f:
        head = f.read(8)
    return head == b"\x89PNG\r\n\x1a\n" and os.path.getsize(path) >= minimum


tmp = tempfile.mkdtemp(prefix="nanoatoms-report-")
out = os.path.join(tmp, "demo")
p = subprocess.run([EXE, "demo", "--out", out], capture_output=True, text=True)
check("demo runs", p.returncode == 0, p.stderr[-300:])
svgs = sorted(glob.glob(os.path.join(out, "plots", "*.svg")))
check("demo writes the figures", len(svgs) >= 8, svgs)

renderer = shutil.which("rsvg-convert")
check("rsvg-convert is installed", renderer is not None)
for svg in svgs:
    png = os.path.join(tmp, os.path.basename(svg)[:-4] + ".png")
    r = subprocess.run([renderer or "rsvg-convert", "-o", png, svg], capture_output=True, text=True)
    check(f"rsvg-convert draws {os.path.basename(svg)}", r.returncode == 0 and not r.stderr.strip() and is_png(png, 5000),
          r.stderr.strip()[-300:])

browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
check("Chromium is installed", browser is not None)
report = os.path.join(out, "report.html")
with open(report, encoding="utf-8") as f:
    page = f.read()
external = re.findall(r'(?:src|href)="(?!data:|#)([^"]+)"', page)
check("report.html is one self-contained file (no external resources)", not external, external[:3])
common = [browser or "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
          "--enable-logging=stderr", "--v=0", f"--user-data-dir={tmp}/profile"]
dom = subprocess.run(common + ["--dump-dom", "file://" + report], capture_output=True, text=True, timeout=120)
check("Chromium loads report.html", dom.returncode == 0 and "</html>" in dom.stdout, dom.stderr[-300:])
# Chromium logs page problems (a broken inline SVG, a resource it could not load) as console
# messages or load failures; its own D-Bus and GPU chatter on a headless machine is not ours.
problems = [l for l in dom.stderr.splitlines() if re.search(r"CONSOLE|Uncaught|Failed to load|net::ERR|This page contains the following errors", l)]
check("Chromium reports no errors in the page", not problems, problems[:3])
check("the page shows every figure", dom.stdout.count("<svg") == len(svgs) and dom.stdout.count("<figure") == len(svgs),
      (dom.stdout.count("<svg"), len(svgs)))
check("the page shows the Table 1 row and the removals", "paper Table 1" in dom.stdout and "Atoms removed by validation" in dom.stdout)
# The 3D view: its script draws every atom of the model (and an ellipsoid for each atom with
# a valid anisotropic U) without an error, in the settings the address asks for.
with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
    summary = json.load(f)
with open(os.path.join(out, "atoms.csv"), encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
valid_u = sum(1 for r in rows if r.get("aniso_valid") == "1")
view = subprocess.run(common + ["--dump-dom", "file://" + report + "#ellipsoids,removed,colour=uiso,turn=0.6:0.4"],
                      capture_output=True, text=True, timeout=120)
status = re.search(r'id="view3d-status" data-status="([^"]*)"', view.stdout)
canvas = re.search(r'<canvas id="view3d"[^>]*data-drawn="(\d+)" data-ellipses="(\d+)" data-rings="(\d+)"', view.stdout)
view_problems = [l for l in view.stderr.splitlines() if re.search(r"CONSOLE|Uncaught", l)]
check("the 3D view's script runs without an error", status and status.group(1) == "ok" and not view_problems,
      (status.group(1) if status else None, view_problems[:2]))
check("the 3D view draws every atom of the model", canvas and int(canvas.group(1)) == summary["natoms"] == len(rows),
      (canvas.groups() if canvas else None, summary["natoms"]))
check("the 3D view draws a thermal ellipsoid for each atom with a valid U", canvas and int(canvas.group(2)) == valid_u > 0,
      (canvas.groups() if canvas else None, valid_u))
check("the 3D view rings every atom validation removed", canvas and int(canvas.group(3)) == len(summary["removals"]),
      (canvas.groups() if canvas else None, len(summary["removals"])))
view_shot = os.path.join(os.path.dirname(screenshot) if screenshot else tmp, "report-3d.png")
v = subprocess.run(common + ["--window-size=1100,1400", f"--screenshot={view_shot}",
                             "file://" + report + "#ellipsoids,colour=uiso,turn=0.6:0.4"], capture_output=True, text=True, timeout=120)
check("Chromium takes a screenshot of the 3D view", v.returncode == 0 and is_png(view_shot, 50_000), v.stderr[-300:])
print(f"3D view screenshot: {view_shot}")

shot = screenshot or os.path.join(tmp, "report.png")
s = subprocess.run(common + ["--window-size=1280,3200", f"--screenshot={shot}", "file://" + report],
                   capture_output=True, text=True, timeout=120)
check("Chromium takes a screenshot of the report", s.returncode == 0 and is_png(shot, 100_000), s.stderr[-300:])
print(f"screenshot: {shot}")

failed = results.count(False)
print(f"report: {len(results) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
