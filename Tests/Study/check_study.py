#!/usr/bin/env python3
"""The study command end to end: simulated particles with part1/part2 halves whose lost atoms
are known, run here across the cores and as a real SLURM job array on this machine's
single-node cluster (tools/slurm/start-local-slurm.sh), gathered, and compared.

Usage: check_study.py BINARY [--no-slurm]
"""
import csv, json, math, os, shutil, subprocess, sys, tempfile, time

binary = os.path.abspath(sys.argv[1])
use_slurm = "--no-slurm" not in sys.argv
failures = []
checks = 0


def check(ok, what):
    global checks
    checks += 1
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def run(*args, cwd):
    return subprocess.run([binary, *args], cwd=cwd, capture_output=True, text=True, timeout=900)


work = tempfile.mkdtemp(prefix="nanoatoms-study-")
os.chdir(work)
LOST = {"NP1": 10, "NP2": 6}
for k, (name, lost) in enumerate(LOST.items()):
    r = run("simulate", "--atoms", "147", "--snr", "12", "--seed", str(k + 1), "--out", f"{name}.mrc", "--truth", f"{name}.truth.csv", cwd=work)
    assert r.returncode == 0, r.stderr
    box = int(json.loads(subprocess.run([sys.executable, "-c", f"import mrcfile, json; print(json.dumps(mrcfile.open('{name}.mrc').data.shape[0]))"],
                                        capture_output=True, text=True).stdout))
    with open(f"{name}.truth.csv") as f:
        rows = list(csv.DictReader(f))
    cx = sum(float(r["x"]) for r in rows) / len(rows); cy = sum(float(r["y"]) for r in rows) / len(rows); cz = sum(float(r["z"]) for r in rows) / len(rows)
    rows.sort(key=lambda r: (float(r["x"]) - cx) ** 2 + (float(r["y"]) - cy) ** 2 + (float(r["z"]) - cz) ** 2)
    kept = rows[: len(rows) - lost]
    with open(f"{name}.part2.csv", "w") as f:
        f.write("x,y,z\n" + "".join(f"{r['x']},{r['y']},{r['z']}\n" for r in kept))
    r = run("simulate", "--model", f"{name}.part2.csv", "--element", "Pt", "--snr", "12", "--seed", str(k + 11), "--box", str(box),
            "--out", f"{name}_part2.mrc", cwd=work)
    assert r.returncode == 0, r.stderr
with open("study.toml", "w") as f:
    f.write('title = "two particles"\nelement = "Pt"\n')
    for name in LOST:
        f.write(f'[[particle]]\nname = "{name}"\nmerged = "{name}.mrc"\npart1 = "{name}.mrc"\npart2 = "{name}_part2.mrc"\n')

# Here, across the cores.
t0 = time.time()
r = run("study", "study.toml", "--out", "local", cwd=work)
check(r.returncode == 0, f"a local study runs (status {r.returncode}: {r.stderr.strip()[-300:]})")
check(r.stderr.count("/6 ") == 6, "the progress bar reports each of the 6 maps")
with open("local/results/comparisons.csv") as f:
    comparisons = {row["particle"]: row for row in csv.DictReader(f)}
for name, lost in LOST.items():
    c = comparisons.get(name, {})
    check(c.get("lost") == str(lost) and c.get("gained") == "0", f"{name}: part1→part2 finds the {lost} atoms taken away, no gained ({c.get('lost')}, {c.get('gained')})")
study = json.load(open("local/results/study.json"))
check(study["tasks_done"] == 6 and study["tasks_failed"] == 0, "study.json: 6 done, none failed")
for name in ("delta_cn_by_particle", "delta_gcn_by_particle", "uiso_by_cn"):
    check(os.path.exists(f"local/results/plots/{name}.svg"), f"the study draws {name}.svg")
report = open("local/results/report.html").read()
check(all(f'href="../{n}/merged/report.html"' in report for n in LOST), "report.html links each particle's report")

# Again: everything is done before, so nothing runs and the results are the same.
before = open("local/results/table1.csv").read()
r = run("study", "study.toml", "--out", "local", cwd=work)
check(r.returncode == 0 and r.stderr.count("done before") == 6, "a second run skips all 6 maps")
check(open("local/results/table1.csv").read() == before, "and assembles the same Table 1")

# A map that fails is recorded; the others still run; the status says so.
with open("broken.toml", "w") as f:
    f.write('[[particle]]\nname = "A"\nmerged = "NP1.mrc"\npart2 = "nowhere.mrc"\n')
r = run("study", "broken.toml", "--out", "broken", cwd=work)
check(r.returncode == 1 and "nowhere.mrc" in r.stdout and os.path.exists("broken/A/merged/atoms.csv"),
      "a missing map fails alone, with its name, and the status is 1")
r = run("study", "study.toml", "--out", "NP1.mrc", cwd=work)
check(r.returncode == 1 and "not a folder" in r.stderr, "a study never writes over a file")

# The dry run says what it would submit and writes nothing.
r = run("study", "study.toml", "--out", "cluster", "--slurm", "--dry-run", cwd=work)
check(r.returncode == 0 and "#SBATCH --array=0-5" in r.stdout and "--task \"$SLURM_ARRAY_TASK_ID\"" in r.stdout
      and not os.path.exists("cluster"), "--slurm --dry-run prints the array script and creates nothing")

if use_slurm:
    start = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "slurm", "start-local-slurm.sh")
    s = subprocess.run(["bash", start], capture_output=True, text=True)
    check(s.returncode == 0, f"the local SLURM cluster is up ({s.stderr.strip()})")
    r = run("study", "study.toml", "--out", "cluster", "--slurm", cwd=work)
    check(r.returncode == 0 and "submitted job array" in r.stdout, f"--slurm submits ({r.stdout.strip()} {r.stderr.strip()})")
    ids = [w for w in r.stdout.replace(",", " ").split() if w.isdigit()]
    deadline = time.time() + 600
    while time.time() < deadline:
        q = subprocess.run(["squeue", "-h", "-o", "%i"], capture_output=True, text=True).stdout.split()
        if not q:
            break
        time.sleep(1)
    check(time.time() < deadline, "the array and the gather job end within 10 minutes")
    logs = sorted(n for n in os.listdir("cluster/slurm") if n.startswith("task-"))
    check(len(logs) == 6, f"one log per array task ({len(logs)})")
    study = json.load(open("cluster/results/study.json")) if os.path.exists("cluster/results/study.json") else {}
    check(study.get("tasks_done") == 6, "the gather job assembled the 6 maps the array ran")

    def without_time(path):
        rows = list(csv.DictReader(open(path)))
        for row in rows:
            row.pop("seconds", None)
        return rows
    check(without_time("cluster/results/table1.csv") == without_time("local/results/table1.csv"),
          "the cluster's Table 1 is the local one (times aside)")
    check(open("cluster/results/comparisons.csv").read() == open("local/results/comparisons.csv").read(),
          "and so are its comparisons")
    r = run("study", "study.toml", "--out", "cluster", "--gather", cwd=work)
    check(r.returncode == 0 and "6 done" in r.stdout, "--gather assembles again by hand")

print(f"{checks - len(failures)}/{checks} study checks passed")
shutil.rmtree(work, ignore_errors=True)
sys.exit(1 if failures else 0)
