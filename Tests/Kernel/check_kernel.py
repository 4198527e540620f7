#!/usr/bin/env python3
"""Checks the Jupyter kernel as a notebook user meets it: `nanoatoms kernel install` into a
fresh prefix, then

- nbclient executes a notebook made of the tutorial (Scripts/tutorial.nano, one cell per
  numbered step) in one session: every cell runs, values print their summaries, and every
  `plot` without a file comes back inline as SVG;
- a cell with a mistake fails with the language's own `cell:LINE:COL` error, and the session
  goes on;
- through jupyter_client, the protocol's complete, inspect and is_complete requests answer
  as the shell would (variables and commands on Tab, a command's help on Shift-Tab, an open
  block as incomplete).

  python3 Tests/Kernel/check_kernel.py [path/to/nanoatoms] [--keep DIR]

--keep DIR saves the executed notebook as DIR/tutorial.ipynb.

Prints one line per check and "N passed, N failed"; exits 1 on any failure.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import nbformat
from jupyter_client.manager import start_new_kernel
from nbclient import NotebookClient

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
args = sys.argv[1:]
keep = None
if "--keep" in args:
    k = args.index("--keep")
    keep = os.path.abspath(args[k + 1])
    del args[k:k + 2]
EXE = os.path.abspath(args[0] if args else os.path.join(ROOT, ".build", "release", "nanoatoms"))
results = []


def check(name, condition, detail=""):
    results.append(bool(condition))
    print(("ok: " if condition else "FAILED: ") + name + ("" if condition else f" ({detail})"))


tmp = tempfile.mkdtemp(prefix="nanoatoms-kernel-")
prefix = os.path.join(tmp, "prefix")
p = subprocess.run([EXE, "kernel", "install", "--prefix", prefix, "--python", sys.executable], capture_output=True, text=True)
spec_dir = os.path.join(prefix, "share", "jupyter", "kernels", "nanoatoms")
check("kernel install writes a kernel spec", p.returncode == 0 and os.path.exists(os.path.join(spec_dir, "kernel.json")), p.stderr)
spec = json.load(open(os.path.join(spec_dir, "kernel.json")))
check("the spec runs the wrapper with this Python and names this nanoatoms",
      spec["argv"][0] == sys.executable and spec["argv"][1].endswith("nanoatoms_kernel.py") and "{connection_file}" in spec["argv"]
      and os.path.samefile(spec["env"]["NANOATOMS_EXECUTABLE"], EXE) and spec["language"] == "nanoatoms", spec)
os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")
bad = subprocess.run([EXE, "kernel", "install", "--prefix", prefix, "--name", "a b"], capture_output=True, text=True)
check("a bad --name is one line naming what is allowed", bad.returncode != 0 and "--name" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1,
      bad.stderr)

# --- the tutorial as a notebook ---
tutorial = open(os.path.join(ROOT, "Scripts", "tutorial.nano"), encoding="utf-8").read().splitlines()
cells, current = [], []
for line in tutorial:
    if re.match(r'print "\d+\.', line) and current:
        cells.append("\n".join(current)); current = []
    current.append(line)
cells.append("\n".join(current))
plots = sum(len(re.findall(r'^\s*plot (?!.*"[^"]*\.svg")', c, re.M)) for c in cells)
nb = nbformat.v4.new_notebook()
nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
mistake = nbformat.v4.new_code_cell("x = build nosuch_map")
mistake.metadata["tags"] = ["raises-exception"]
nb.cells.append(mistake)
nb.cells.append(nbformat.v4.new_code_cell("tab.natoms"))
workdir = os.path.join(tmp, "work")
os.makedirs(workdir)
client = NotebookClient(nb, kernel_name="nanoatoms", timeout=600, resources={"metadata": {"path": workdir}})
try:
    client.execute()
    ran = True
    problem = ""
except Exception as e:  # noqa: BLE001 - any failure is the check's detail
    ran, problem = False, str(e)[-600:]
check(f"nbclient executes the tutorial notebook ({len(cells)} cells) with the nanoatoms kernel", ran, problem)
tutorial_cells = nb.cells[:len(cells)]
errors = [o for c in tutorial_cells for o in c.get("outputs", []) if o.output_type == "error"]
check("every tutorial cell runs without an error", ran and not errors, errors[:1])
svgs = [o for c in tutorial_cells for o in c.get("outputs", []) if o.output_type == "display_data" and "image/svg+xml" in o.data]
check(f"every plot without a file appears inline as SVG ({plots} plots)",
      len(svgs) == plots and all(o.data["image/svg+xml"].lstrip().startswith(("<svg", "<?xml")) for o in svgs), len(svgs))
text = "".join(o.get("text", "") for c in tutorial_cells for o in c.get("outputs", []) if o.output_type == "stream")
check("values print their summaries (the map, the Table 1 row)", "309" in text and "volume" in text.lower() and ("δ" in text or "delta" in text),
      text[:300])
err = [o for o in mistake.get("outputs", []) if o.output_type == "error"]
check("a mistaken cell fails with the language's cell:LINE:COL error", err and re.search(r"cell:1:\d+: error:", err[0].evalue + "\n".join(err[0].traceback)),
      err)
last = nb.cells[-1].get("outputs", [])
check("the session goes on after the error (the table made cells earlier is still there)",
      any(o.output_type == "stream" and re.search(r"\d+", o.text) for o in last), last)

if keep:
    nbformat.write(nb, os.path.join(keep, "tutorial.ipynb"))
    print(f"executed notebook: {os.path.join(keep, 'tutorial.ipynb')}")

# --- the protocol's other requests ---
km, kc = start_new_kernel(kernel_name="nanoatoms")
try:
    kc.execute_interactive("mapping = simulate cuboctahedron natoms=55 seed=1", timeout=120)
    reply = kc.complete("x = mapp", 8, reply=True, timeout=30)["content"]
    check("complete: a variable's name", "mapping" in reply["matches"] and reply["cursor_start"] == 4 and reply["cursor_end"] == 8, reply)
    reply = kc.complete("valid", 5, reply=True, timeout=30)["content"]
    check("complete: a command's name", "validate" in reply["matches"], reply)
    reply = kc.complete("den = denoise mapping bfac", 26, reply=True, timeout=30)["content"]
    check("complete: a command's option", any(m.startswith("bfactor") for m in reply["matches"]), reply)
    reply = kc.inspect("b = build mapping", 7, reply=True, timeout=30)["content"]
    check("inspect: a command's help and teaching", reply["found"] and "build" in reply["data"]["text/plain"], reply)
    reply = kc.inspect("mapping", 3, reply=True, timeout=30)["content"]
    check("inspect: a variable's full view", reply["found"] and "true atoms" in reply["data"]["text/plain"], reply)
    statuses = []
    for code in ["x = 1", "for a in [1, 2] {", "print \"open", "x = = 1"]:
        msg_id = kc.is_complete(code)
        reply = kc.get_shell_msg(timeout=30)
        statuses.append(reply["content"]["status"] if reply["parent_header"].get("msg_id") == msg_id else None)
    check("is_complete: complete, incomplete (block, string), invalid", statuses == ["complete", "incomplete", "incomplete", "invalid"], statuses)
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)

failed = results.count(False)
print(f"kernel: {len(results) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
