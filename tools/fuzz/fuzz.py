#!/usr/bin/env python3
"""Seeded mutation fuzzing of the nanoatoms executable, as a hostile user would try it.

Each case makes a fresh folder, writes mutated inputs (MRC maps, CSV and PDB models,
scripts, command-line options, special files such as FIFOs and symlinks), runs the binary
with a time limit and judges what happened:

  crash      killed by a signal (a Swift trap, a stack overflow, an abort)
  hang       still running at the time limit
  unclear    it failed, but the error is not one clear line (one-shot: `nanoatoms: ...`;
             scripts: `NAME:LINE:COL: error: ...`, then the source line and a caret)
  corrupt    it succeeded, but an output is incomplete or disagrees with another reader
  overwrote  an input, or a special file, changed
  litter     a failed command left files behind (a half run, a temporary file)

Every failing case is saved under --crashers (its inputs, command and output), so it can be
replayed and minimised into a regression test. Same --seed, same cases.

  python3 tools/fuzz/fuzz.py --minutes 3 --seed 1          # what .ci/run does
  python3 tools/fuzz/fuzz.py --cases 20000 --seed 7         # a long campaign
"""
import argparse, hashlib, json, os, random, re, shutil, signal, stat, struct, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

INTERESTING_INTS = [0, 1, -1, 2, 3, 7, 8, 32, 255, 256, 1023, 1024, 65535, 65536, 65537,
                    2**31 - 1, -2**31, 2**30, 1 << 20, 100000]
INTERESTING_FLOATS = [0.0, -0.0, 1.0, -1.0, 1e-45, 1e-20, 1e-10, 0.005, 0.05, 0.358, 5.0, 1e4,
                      9999.999, 1e6, 1e20, 3.4e38, -3.4e38, -65504.0, 65504.0, float("nan"),
                      float("inf"), float("-inf")]
NUMBERS = ["0", "-1", "1", "0.5", "2", "3", "1e300", "-1e300", "1e-300", "1e-10", "0.005",
           "99999999", "999999999", "nan", "inf", "-0", "1e308", "65536", "0.358", "12", "1.5",
           "1e400", "-3", "4", "300"]

# Header fields of an MRC2014 file: (offset, kind).
HEADER_FIELDS = [(0, "i"), (4, "i"), (8, "i"), (12, "i"), (16, "i"), (20, "i"), (24, "i"),
                 (28, "i"), (32, "i"), (36, "i"), (40, "f"), (44, "f"), (48, "f"),
                 (64, "i"), (68, "i"), (72, "i"), (92, "i"), (196, "f"), (200, "f"), (204, "f"),
                 (212, "b")]


class Fuzzer:
    def __init__(self, binary, seed, crashers, timeout):
        self.binary = binary
        self.rng = random.Random(seed)
        self.crashers = crashers
        self.timeout = timeout
        self.counts = {}
        self.failures = []
        self.work = tempfile.mkdtemp(prefix="nanoatoms-fuzz-")
        # A copy of the binary, so a rebuild during a long campaign does not disturb it.
        shutil.copy(binary, os.path.join(self.work, "nanoatoms"))
        self.binary = os.path.join(self.work, "nanoatoms")
        self.base = os.path.join(self.work, "base")
        os.makedirs(self.base)
        self.run_tool(["simulate", "--out", "base.mrc", "--truth", "base.csv", "--atoms", "13",
                       "--box", "32", "--snr", "8"], self.base)
        self.run_tool(["simulate", "--out", "big.mrc", "--atoms", "55", "--box", "40"], self.base)
        self.run_tool(["run", "big.mrc", "--element", "Pt", "--out", "run"], self.base)
        self.run_tool(["simulate", "--out", "slow.mrc", "--atoms", "561", "--snr", "5"], self.base)
        with open(os.path.join(self.base, "base.mrc"), "rb") as f:
            self.map = f.read()
        with open(os.path.join(self.base, "base.csv")) as f:
            self.csv = f.read()
        with open(os.path.join(self.base, "run", "model.pdb")) as f:
            self.pdb = f.read()
        with open(os.path.join(self.base, "run", "model.cif")) as f:
            self.cif = f.read()
        rows = [l.split(",") for l in self.csv.splitlines()[1:] if l.strip()]
        self.xyz = f"{len(rows)}\nbase\n" + "".join(f"Pt {r[1]} {r[2]} {r[3]}\n" for r in rows)
        self.scripts = []
        for name in sorted(os.listdir(os.path.join(ROOT, "Scripts"))):
            if name.endswith(".nano"):
                with open(os.path.join(ROOT, "Scripts", name)) as f:
                    self.scripts.append(f.read())

    def run_tool(self, args, cwd):
        r = subprocess.run([self.binary] + args, cwd=cwd, capture_output=True, timeout=120)
        if r.returncode != 0:
            sys.exit(f"fuzz: setup failed: {' '.join(args)}: {r.stderr.decode(errors='replace')}")

    # ---- mutations --------------------------------------------------------------------

    def mutate_map(self, data):
        b = bytearray(data)
        for _ in range(self.rng.choice([1, 1, 1, 2, 3])):
            what = self.rng.random()
            if len(b) < 1100:
                break
            if what < 0.45:
                off, kind = self.rng.choice(HEADER_FIELDS)
                if kind == "i":
                    struct.pack_into("<i", b, off, self.rng.choice(INTERESTING_INTS + [self.rng.randint(-5, 70000)]))
                elif kind == "f":
                    v = self.rng.choice(INTERESTING_FLOATS)
                    struct.pack_into("<f", b, off, v if abs(v) < 3.5e38 or v != v or v in (float("inf"), float("-inf")) else 3.4e38)
                else:
                    b[off] = self.rng.choice([0x44, 0x11, 0, 0xFF])
            elif what < 0.7:
                n = (len(b) - 1024) // 4
                for _ in range(self.rng.choice([1, 2, 5, 100])):
                    i = self.rng.randrange(n)
                    v = self.rng.choice([-65504.0, 3.4e38, -3.4e38, 1e30, 1e-45, 0.0, 1e20, 65504.0])
                    struct.pack_into("<f", b, 1024 + 4 * i, v)
            elif what < 0.75:
                # A valid but unusual voxel size (the whole allowed range, 0.05–5 Å).
                apix = self.rng.choice([0.05, 0.06, 0.1, 0.2, 1.0, 2.5, 4.9, 5.0])
                nx = struct.unpack_from("<i", b, 0)[0]
                for o in (40, 44, 48):
                    struct.pack_into("<f", b, o, apix * max(1, min(nx, 65536)))
            elif what < 0.8:
                cut = self.rng.choice([0, 10, 1023, 1024, 1100, len(b) - 4, len(b) - 1])
                b = b[:max(0, min(cut, len(b)))]
            elif what < 0.9:
                b += bytes(self.rng.choice([1, 4, 1000, 4096]))
            else:
                for _ in range(self.rng.randint(1, 20)):
                    if b:
                        b[self.rng.randrange(len(b))] = self.rng.randrange(256)
        return bytes(b)

    def odd_map(self):
        """A well-formed map of an odd shape or content: one voxel, a plane, a line, constant, noise."""
        r = self.rng
        nx, ny, nz = r.choice([(1, 1, 1), (1, 40, 40), (2, 2, 200), (16, 16, 16), (40, 40, 1), (3, 50, 3)])
        kind = r.choice(["zero", "constant", "noise", "spikes"])
        values = []
        for i in range(nx * ny * nz):
            if kind == "zero":
                values.append(0.0)
            elif kind == "constant":
                values.append(7.0)
            elif kind == "noise":
                values.append(r.gauss(0, 1))
            else:
                values.append(r.choice([0.0, 0.0, 0.0, 100.0]))
        head = bytearray(self.map[:1024])
        struct.pack_into("<iii", head, 0, nx, ny, nz)
        struct.pack_into("<iii", head, 28, nx, ny, nz)
        apix = r.choice([0.358, 0.05, 1.0])
        struct.pack_into("<fff", head, 40, nx * apix, ny * apix, nz * apix)
        struct.pack_into("<i", head, 92, 0)
        return bytes(head) + struct.pack(f"<{len(values)}f", *values)

    def mutate_text(self, text):
        s = list(text)
        for _ in range(self.rng.choice([1, 2, 4, 8])):
            if not s:
                break
            i = self.rng.randrange(len(s))
            op = self.rng.random()
            if op < 0.3:
                del s[i]
            elif op < 0.6:
                s.insert(i, self.rng.choice(list("()[]{}|=\"\\;,.#\n\r-e0123456789xyz \t") + ["\ufeff", "é", "\x00"]))
            elif op < 0.8:
                s[i] = self.rng.choice(NUMBERS)
            else:
                j = self.rng.randrange(len(s))
                s[i:i] = s[j:j + self.rng.randint(1, 40)]
        return "".join(s)

    def random_script(self):
        """A script of plausible commands with extreme numbers, deep nesting or odd encodings."""
        r = self.rng
        n = lambda: r.choice(NUMBERS)
        stmts = [
            "set element Pt", f"set threads {n()}",
            f"m = simulate natoms={r.choice(['13', '55', n()])} box={r.choice(['32', 'none', n()])} apix={r.choice(['0.358', n()])}",
            f"m = simulate natoms=13 expansion={n()}", f"m = simulate natoms=13 snr={n()} seed={n()}",
            f"m = simulate natoms=13 disorder={n()} offset={n()} gradient={n()}",
            "m = load \"m.mrc\"", f"m = load \"m.mrc\" apix={n()}", "a = load \"m.csv\"", "p = load \"m.pdb\"",
            f"k = mask m diameter={n()}", f"d = denoise m bfactor={n()}", "d = denoise m",
            f"b = binarize d threshold={n()}", "b = binarize d", "a = detect b", "a = split a", "a = recover a",
            f"a = validate a cnmin={n()}", "a = build m", "t = stats a", "t = stats (load \"m.csv\")",
            "f = fitdepth t", "f = fitdepth t uiso", "s = summary t", "c = compare a (load \"m.csv\")",
            f"plot m at={n()}", f"plot t slab={n()}", "plot a \"fig.svg\"", f"plot m \"slice.svg\" kind=\"slice\" at={n()}",
            "export a \"out.pdb\"", "export t \"out.csv\"", "export a \"m.csv\"", "save m \"m.mrc\"",
            "save m \"link.mrc\"", "save m \"/dev/null\"", "save m \"fifo\"", "save m \"new/dir/x.mrc\"",
            "export a \"far/away/a.pdb\"", "transcript \"script.nano\"", "transcript \"t.nano\"",
            "source \"/dev/zero\"", "source \"fifo\"", "source \"script.nano\"", f"x = arg {n()} 1",
            "show m", "show a", "vars", f"print {n()} \"x\"", "for i in [1, 2] { print i }",
            "x = t where cn < 9 and uiso > 0.1", f"y = mean t.uiso * 8 * pi^{n()}", f"z = t[{n()}]", f"w = a[{n()}:{n()}]",
            f"v = [1, 2, 3][{n()}]", "q = stats (t where cn > 6)", "r = stats (a where valid_corr > 0.5)",
            "def f(n) { return f n }", "f 1", "def g(a) { return a * 2 }", f"g {n()}", f"g [{n()}, 1] 2",
            "if t.count > 3 { print 1 } else { print 2 }", f"if {n()} {{ print 1 }}", "s = head (sort t by=uiso) n=3",
            f"c = count (t.cn > {n()})", "open m.mrc", "load ./m.mrc", "ls", "pwd", "quit",
            f"x = {n()} / 0", f"x = [{n()}] + [1, 2]", "x = t where cn = 3", "x = 1 < 2 < 3", "den m", "sim natoms=13",
        ]
        body = [r.choice(stmts) for _ in range(r.randint(1, 8))]
        if r.random() < 0.15:
            depth = r.choice([50, 300, 2000, 7000])
            kind = r.choice(["(", "[", "for", "pipe", "call", "minus", "sum", "not", "if"])
            if kind == "(":
                body.append("x = " + "(" * depth + "1" + ")" * depth)
            elif kind == "[":
                body.append("x = " + "[" * depth + "1" + "]" * depth)
            elif kind == "for":
                body.append("for i in [1] { " * depth + "print i" + " }" * depth)
            elif kind == "pipe":
                body.append("m = simulate natoms=13" + " | mask" * depth)
            elif kind == "minus":
                body.append("x = " + "-" * depth + "1")
            elif kind == "sum":
                body.append("x = " + "1 + " * depth + "1")
            elif kind == "not":
                body.append("x = " + "not " * depth + "true")
            elif kind == "if":
                body.append("if true { " * depth + "print 1" + " }" * depth)
            else:
                body.append("x = " + "text " * depth + "1")
        sep = r.choice(["\n", "\n", "\r\n", ";"])
        text = sep.join(body) + sep
        if r.random() < 0.1:
            text = "\ufeff" + text
        if r.random() < 0.2:
            text = self.mutate_text(text)
        return text

    def random_options(self):
        r = self.rng
        n = lambda: r.choice(NUMBERS)
        cmd = r.choice(["run", "run", "simulate", "compare", "demo", "stats"])
        if cmd == "run":
            args = ["run", r.choice(["m.mrc", "m.mrc", "fifo", "/dev/zero", "out/report.html", "missing.mrc", "m.csv"]),
                    "--element", r.choice(["Pt", "Pt", "Au", "Xx"]), "--out", r.choice(["out", "out", "m.mrc", ".", "/dev/null", "linkdir", "new/deep"])]
            for opt in r.sample(["--apix", "--mask-diameter", "--threads", "--cn-min", "--outlier-rule"], r.randint(0, 2)):
                args += [opt, n() if opt != "--outlier-rule" else r.choice(["robust", "paper", "x"])]
            if r.random() < 0.2:
                args.append("--no-mask")
            if r.random() < 0.2:
                args.append("--refine")
            if r.random() < 0.1:
                # Half maps: the map itself, another file, a FIFO, a device, one or three of them.
                args += ["--half-maps"] + [r.choice(["m.mrc", "m.mrc", "link.mrc", "fifo", "/dev/zero", "m.csv", "missing.mrc"])
                                           for _ in range(r.choice([1, 2, 2, 2, 3]))]
        elif cmd == "simulate":
            args = ["simulate", "--out", r.choice(["s.mrc", "m.mrc", "/dev/null", "fifo", "link.mrc"])]
            if r.random() < 0.5:
                args += ["--truth", r.choice(["s.csv", "s.mrc", "m.csv", "t.csv"])]
            for opt in r.sample(["--atoms", "--snr", "--expansion", "--disorder", "--box", "--apix", "--seed",
                                 "--lowfreq", "--thickness", "--density", "--gradient", "--offset"], r.randint(1, 3)):
                args += [opt, n()]
            if "--atoms" not in args:
                args += ["--atoms", "13"]
        elif cmd == "stats":
            args = ["stats", r.choice(["m.csv", "m.pdb", "m.xyz", "m.cif", "bad.xyz", "fifo", "m.mrc", "missing.xyz"])]
            for opt in r.sample(["--map", "--element", "--out", "--threads"], r.randint(0, 3)):
                args += [opt, {"--map": r.choice(["m.mrc", "m.csv", "fifo", "/dev/zero"]), "--element": r.choice(["Pt", "Au", "Xx"]),
                               "--out": r.choice(["t.csv", "m.csv", "m.xyz", "/dev/null", "fifo"]), "--threads": n()}[opt]]
        elif cmd == "compare":
            args = ["compare", r.choice(["m.csv", "m.pdb", "bad.csv", "bad.pdb", "fifo"]), r.choice(["m.csv", "m.pdb", "bad.csv", "bad.pdb"])]
        else:
            args = ["demo", "--out", r.choice(["demo", "m.mrc", "/dev/null"]), "--threads", n()]
        if r.random() < 0.15:
            # Usage slips: an unknown option, an extra or missing argument, an option without its value.
            slip = r.choice(["--bogus", "extra.mrc", "--out", "-x", "", "--element="])
            args = args[:-1] if slip == "" else args + [slip]
        if r.random() < 0.03:
            args = [r.choice(["runn", "-c", "check", "--help", "-h", "bogus"])] + args[1:]
        return args

    # ---- one case ---------------------------------------------------------------------

    def setup_case(self, folder):
        os.makedirs(folder)
        shutil.copy(os.path.join(self.base, "base.mrc"), os.path.join(folder, "m.mrc"))
        with open(os.path.join(folder, "m.csv"), "w") as f:
            f.write(self.csv)
        with open(os.path.join(folder, "m.pdb"), "w") as f:
            f.write(self.pdb)
        with open(os.path.join(folder, "m.xyz"), "w") as f:
            f.write(self.xyz)
        with open(os.path.join(folder, "m.cif"), "w") as f:
            f.write(self.cif)
        os.mkfifo(os.path.join(folder, "fifo"))
        os.symlink("m.mrc", os.path.join(folder, "link.mrc"))
        os.makedirs(os.path.join(folder, "real"))
        os.symlink("real", os.path.join(folder, "linkdir"))
        shutil.copytree(os.path.join(self.base, "run"), os.path.join(folder, "out"))

    def snapshot(self, folder):
        """Every file's kind and digest, and /dev/null's kind."""
        out = {}
        for dirpath, dirnames, filenames in os.walk(folder):
            for name in filenames + dirnames:
                p = os.path.join(dirpath, name)
                st = os.lstat(p)
                if stat.S_ISREG(st.st_mode):
                    with open(p, "rb") as f:
                        out[os.path.relpath(p, folder)] = ("file", hashlib.sha1(f.read()).hexdigest())
                elif stat.S_ISLNK(st.st_mode):
                    out[os.path.relpath(p, folder)] = ("link", os.readlink(p))
                elif stat.S_ISFIFO(st.st_mode):
                    out[os.path.relpath(p, folder)] = ("fifo", "")
                elif stat.S_ISDIR(st.st_mode):
                    out[os.path.relpath(p, folder)] = ("dir", "")
        out["/dev/null"] = ("chr" if stat.S_ISCHR(os.stat("/dev/null").st_mode) else "replaced", "")
        return out

    def kill_case(self, number):
        """kill -9 at a random moment of a run: the folder holds the old set or the new one, whole."""
        folder = os.path.join(self.work, f"case{number}")
        self.setup_case(folder)
        shutil.copy(os.path.join(self.base, "slow.mrc"), os.path.join(folder, "slow.mrc"))
        before = self.snapshot(os.path.join(folder, "out"))
        args = ["run", "slow.mrc", "--element", "Pt", "--out", "out"]
        p = subprocess.Popen([self.binary] + args, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(self.rng.uniform(0, 0.6))
        p.kill()
        p.wait()
        verdict, detail = "ok", ""
        present = sorted(os.listdir(os.path.join(folder, "out"))) if os.path.isdir(os.path.join(folder, "out")) else []
        if not present:
            verdict, detail = "corrupt", "the output folder vanished"
        elif self.snapshot(os.path.join(folder, "out")) != before:
            problem = self.check_run_folder(os.path.join(folder, "out"))
            need = {"model.cif", "atoms.csv", "summary.json", "report.html", "plots"}
            if problem or not need <= set(present):
                verdict, detail = "corrupt", f"after kill -9 the folder mixes or misses files: {problem or present}"
        if verdict == "ok":
            # The next run sweeps whatever the killed one left.
            r = subprocess.run([self.binary] + args, cwd=folder, capture_output=True, timeout=self.timeout)
            left = [n for n in os.listdir(folder) if ".nanoatoms-" in n or ".tmp-" in n]
            if r.returncode != 0:
                verdict, detail = "unclear", f"the run after a kill failed: {r.stderr.decode(errors='replace')[:200]}"
            elif left:
                verdict, detail = "litter", f"left after the next run: {left}"
        self.counts[verdict] = self.counts.get(verdict, 0) + 1
        if verdict != "ok":
            self.save(number, "kill", args, folder, {}, verdict, detail, b"", b"")
        shutil.rmtree(folder, ignore_errors=True)

    def case(self, number):
        if self.rng.random() < 0.04:
            return self.kill_case(number)
        kind = self.rng.choice(["map", "map", "script", "script", "options", "model"])
        folder = os.path.join(self.work, f"case{number}")
        self.setup_case(folder)
        files = {}
        if kind == "map":
            files["m.mrc"] = self.mutate_map(self.map if self.rng.random() < 0.8 else self.odd_map())
            args = ["run", "m.mrc", "--element", "Pt", "--out", self.rng.choice(["fresh", "out"])]
            if self.rng.random() < 0.25:
                args += ["--apix", self.rng.choice(NUMBERS)]
        elif kind == "script":
            src = self.random_script() if self.rng.random() < 0.7 else self.mutate_text(self.rng.choice(self.scripts))
            files["script.nano"] = src.encode("utf-8", errors="replace")
            args = ["script.nano", "fresh"]
        elif kind == "model":
            texts = {"bad.csv": self.csv, "bad.pdb": self.pdb, "bad.xyz": self.xyz, "bad.cif": self.cif}
            mutated = self.rng.choice(sorted(texts))
            for name, text in texts.items():
                files[name] = self.mutate_text(text).encode("utf-8", errors="replace") if name == mutated else text.encode()
            files["script.nano"] = self.rng.choice([
                b"set element Pt\na = load \"bad.csv\"\nt = stats a\nexport t \"o.pdb\"\nexport a \"o.csv\"\nc = compare a (load \"bad.pdb\")\n",
                b"a = load \"bad.pdb\"\nt = stats a\nf = fitdepth t\nplot t \"x.svg\"\nexport t \"o.pdb\"\n",
                b"m = load \"m.mrc\"\na = load \"bad.xyz\"\nt = stats a map=m\nshow t\nplot t kind=\"rdf\"\nexport t \"o.cif\"\n",
                b"a = load \"bad.cif\"\nt = stats a\nshow t\nt.rdf_g\nplot t \"g.svg\" kind=\"rdf\"\n"])
            args = self.rng.choice([["compare", "bad.csv", "bad.pdb"], ["script.nano"], ["stats", mutated], ["stats", mutated, "--map", "m.mrc"]])
        else:
            args = self.random_options()
        for name, data in files.items():
            with open(os.path.join(folder, name), "wb") as f:
                f.write(data)
        before = self.snapshot(folder)
        verdict, detail, out, err = self.execute(args, folder)
        if verdict == "ok":
            verdict, detail = self.judge(args, folder, before, out, err)
        self.counts[verdict] = self.counts.get(verdict, 0) + 1
        if verdict != "ok":
            self.save(number, kind, args, folder, files, verdict, detail, out, err)
        shutil.rmtree(folder, ignore_errors=True)

    def execute(self, args, folder):
        try:
            r = subprocess.run([self.binary] + args, cwd=folder, capture_output=True, timeout=self.timeout,
                               stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            return "hang", f"still running after {self.timeout} s", b"", b""
        out, err = r.stdout, r.stderr
        if r.returncode < 0 or r.returncode in (132, 133, 134, 136, 139) or b"Fatal error" in err or b"Stack overflow" in err:
            return "crash", f"exit {r.returncode}", out, err
        self.returncode = r.returncode
        return "ok", "", out, err

    def judge(self, args, folder, before, out, err):
        rc = self.returncode
        text = err.decode("utf-8", errors="replace")
        lines = text.rstrip("\n").split("\n") if text.strip() else []
        if rc != 0:
            if args[0].endswith(".nano") or args[0] in ("-c", "check"):
                # A script's error: one line, or one line then the source line and a caret
                # (check's own usage errors are one line too).
                ok = (len(lines) == 1 and (": error: " in lines[0] or lines[0].startswith("nanoatoms: "))) or (
                    len(lines) == 3 and ": error: " in lines[0] and lines[2].strip() == "^")
            else:
                ok = len(lines) == 1 and lines[0].startswith("nanoatoms: ")
            if not ok:
                return "unclear", f"exit {rc} with {len(lines)} line(s) on stderr"
            if "\r" in text or "\ufeff" in text:
                return "unclear", "invisible characters in the error"
        after = self.snapshot(folder)
        for name, (k, digest) in before.items():
            if name not in after:
                if name.startswith("out") and args[0] == "run":
                    continue
                return "overwrote", f"{name} disappeared"
            if after[name] != (k, digest):
                if name.startswith("out") or name in ("fresh",) or name.startswith("fresh/"):
                    continue
                if name in self.inputs_of(args, folder):
                    return "overwrote", f"{name} changed ({k} -> {after[name][0]})"
        for name in after:
            base = os.path.basename(name)
            if ".tmp-" in base or ".nanoatoms-" in base:
                return "litter", f"temporary file {name} left behind"
        for d in ("out", "fresh", "real"):
            p = os.path.join(folder, d)
            if not os.path.isdir(p):
                continue
            present = set(os.listdir(p))
            if not present:
                continue
            if args[0] in ("run", "demo") and ("summary.json" in present or "model.cif" in present):
                need = {"model.cif", "atoms.csv", "summary.json", "report.html", "plots"}
                if not need <= present:
                    return "corrupt", f"{d}/ holds an incomplete run: {sorted(present)}"
                problem = self.check_run_folder(p)
                if problem:
                    return "corrupt", problem
        if rc != 0 and args[0] == "run" and os.path.exists(os.path.join(folder, "fresh")):
            return "litter", "a failed run created its output folder"
        return "ok", ""

    def inputs_of(self, args, folder):
        """The files a command reads (and so must never write), and the special files."""
        special = {"fifo", "/dev/null"}
        if args[0] == "run":
            return special | {args[1], "m.mrc"}
        if args[0] == "compare":
            return special | set(args[1:3])
        if args[0].endswith(".nano"):
            with open(os.path.join(folder, args[0]), errors="replace") as f:
                src = f.read()
            names = ("m.mrc", "m.csv", "m.pdb", "bad.csv", "bad.pdb", "script.nano")
            loaded = {n for n in names if f'load "{n}"' in src or f'source "{n}"' in src}
            # A file written (directly or through link.mrc) before the script first reads it was
            # no input when it was written: its content may change, so it is not checked.
            aliases = {"link.mrc": "m.mrc"}
            seen, written_first = set(), set()
            for line in re.split(r"[\n;]", src):
                for n in names:
                    if f'load "{n}"' in line or f'source "{n}"' in line:
                        seen.add(n)
                for target in re.findall(r'(?:save|export|transcript)\b[^"]*"([^"]*)"', line):
                    name = aliases.get(target, target)
                    if name in names and name not in seen:
                        written_first.add(name)
            return special | {args[0]} | (loaded - written_first)
        return special

    def check_run_folder(self, p):
        """The PDB agrees with the CSV, coordinate by coordinate (fixed columns, as gemmi reads them)."""
        try:
            with open(os.path.join(p, "atoms.csv")) as f:
                rows = f.read().strip().split("\n")
            header = rows[0].split(",")
            ix, iy, iz = header.index("x"), header.index("y"), header.index("z")
            csv = [(float(r.split(",")[ix]), float(r.split(",")[iy]), float(r.split(",")[iz])) for r in rows[1:]]
            models = {}
            if os.path.exists(os.path.join(p, "model.pdb")):
                with open(os.path.join(p, "model.pdb")) as f:
                    models["model.pdb"] = [(float(l[30:38]), float(l[38:46]), float(l[46:54])) for l in f if l.startswith(("ATOM", "HETATM"))]
            with open(os.path.join(p, "model.cif")) as f:
                rows = [l.split() for l in f if l.startswith("HETATM")]
            models["model.cif"] = [(float(r[9]), float(r[10]), float(r[11])) for r in rows]
            summary = json.load(open(os.path.join(p, "summary.json")))
        except Exception as e:
            return f"an output does not parse: {e}"
        if "model.pdb" not in models and summary.get("model_pdb", "written") == "written":
            return "model.pdb is missing though summary.json says it was written"
        for name, model in models.items():
            if len(csv) != len(model):
                return f"{name} has {len(model)} atoms, atoms.csv {len(csv)}"
            for a, b in zip(csv, model):
                if max(abs(a[i] - b[i]) for i in range(3)) > 0.0015:
                    return f"{name} coordinate {b} differs from atoms.csv {a}"
        return None

    def save(self, number, kind, args, folder, files, verdict, detail, out, err):
        self.failures.append((verdict, kind, detail, args))
        if not self.crashers:
            return
        dest = os.path.join(self.crashers, f"{verdict}-{kind}-{number}")
        os.makedirs(dest, exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(dest, name), "wb") as f:
                f.write(data)
        with open(os.path.join(dest, "case.json"), "w") as f:
            json.dump({"verdict": verdict, "detail": detail, "args": args,
                       "stdout": out.decode(errors="replace")[-2000:], "stderr": err.decode(errors="replace")[-4000:]}, f, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "nanoatoms"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=0, help="stop after this many cases (0: no limit)")
    ap.add_argument("--minutes", type=float, default=0, help="stop after this long (0: no limit)")
    ap.add_argument("--timeout", type=float, default=30, help="seconds before a case counts as a hang")
    ap.add_argument("--crashers", default="", help="folder to save failing cases in")
    a = ap.parse_args()
    if not a.cases and not a.minutes:
        a.cases = 500
    if not stat.S_ISCHR(os.stat("/dev/null").st_mode):
        sys.exit("fuzz: /dev/null is not a character device (an earlier run replaced it): restore it with 'rm /dev/null; mknod -m 666 /dev/null c 1 3'")
    f = Fuzzer(a.binary, a.seed, a.crashers, a.timeout)
    start = time.time()
    n = 0
    # A campaign stopped early (Ctrl-C, or a time limit's SIGTERM) still reports what it found.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        while (not a.cases or n < a.cases) and (not a.minutes or time.time() - start < 60 * a.minutes):
            f.case(n)
            n += 1
    except KeyboardInterrupt:
        print("fuzz: stopped early")
    finally:
        shutil.rmtree(f.work, ignore_errors=True)
    bad = sum(v for k, v in f.counts.items() if k != "ok")
    print(f"fuzz: {n} cases in {time.time() - start:.0f} s (seed {a.seed}): " +
          ", ".join(f"{k} {v}" for k, v in sorted(f.counts.items())))
    for verdict, kind, detail, args in f.failures[:40]:
        print(f"  {verdict:9s} {kind:7s} {detail}: nanoatoms {' '.join(args)}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
