import Foundation
import NanoAtomsEngine

// One-shot commands: run, demo, simulate and compare, straight from the command line.

let oneShotUsage = """
    one-shot commands:
           nanoatoms run MAP.mrc --element EL --out DIR [--apix A] [--mask-diameter D | --no-mask]
                         [--outlier-rule robust|paper|none] [--cn-min N|off] [--paper] [--threads N]
           nanoatoms demo [--out DIR] [--threads N]
           nanoatoms compare FIRST SECOND [--element EL]   (models as .csv or .pdb; e.g. part1 and part2)
           nanoatoms stats MODEL [--map MAP.mrc] [--element EL] [--out TABLE.csv] [--threads N]
                         (any model: .pdb, .cif, .csv, .xyz; shape statistics need --map)
           nanoatoms simulate --out MAP.mrc [--truth TRUTH.csv] [--element EL] [--shape cuboctahedron|truncoct|irregular | --model MODEL]
                         [--atoms N] [--snr S] [--expansion F] [--disorder A] [--box N] [--apix A] [--seed N]
                         [--lowfreq F] [--liquid slab|shell] [--thickness T] [--density F] [--gradient F] [--offset X]
    """

/// Prints `message` to standard error and exits with status `code`.
func fail(_ message: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data(("nanoatoms: " + message + "\n").utf8))
    exit(code)
}

/// Options of the form `--name value` or `--flag`, and positional arguments.
struct OptionParser {
    var positional: [String] = []
    var options: [String: String] = [:]
    var flags: Set<String> = []
    static let flagNames: Set<String> = ["--no-mask", "--paper"]

    init(_ args: ArraySlice<String>) {
        var it = args.makeIterator()
        while let a = it.next() {
            if a.hasPrefix("--") {
                if let eq = a.firstIndex(of: "=") {
                    options[String(a[..<eq])] = String(a[a.index(after: eq)...])
                } else if Self.flagNames.contains(a) {
                    flags.insert(a)
                } else {
                    guard let v = it.next() else { fail("option \(a) needs a value; see 'nanoatoms --help'", code: 2) }
                    options[a] = v
                }
            } else {
                positional.append(a)
            }
        }
    }

    func number(_ name: String) -> Double? {
        guard let s = options[name] else { return nil }
        guard let v = Double(s), v.isFinite, v > 0 else { fail("\(name) takes a positive number, not '\(s)'", code: 2) }
        return v
    }

    /// A finite number within `range`, or a usage error naming the option and the range.
    func number(_ name: String, in range: ClosedRange<Double>) -> Double? {
        guard let s = options[name] else { return nil }
        guard let v = Double(s), v.isFinite, range.contains(v) else {
            fail("\(name) takes a number from \(Limits.formatBound(range.lowerBound)) to \(Limits.formatBound(range.upperBound)), not '\(s)'", code: 2)
        }
        return v
    }

    /// A whole number within `range`, or a usage error naming the option and the range.
    func whole(_ name: String, in range: ClosedRange<Int>) -> Int? {
        guard let s = options[name] else { return nil }
        guard let v = Double(s), v.isFinite, v == v.rounded(), Double(range.lowerBound)...Double(range.upperBound) ~= v else {
            fail("\(name) takes a whole number from \(range.lowerBound) to \(range.upperBound), not '\(s)'", code: 2)
        }
        return Int(v)
    }

    func check(allowed: Set<String>) {
        for k in options.keys.sorted() where !allowed.contains(k) {
            fail("unknown option \(k) (this command takes \(allowed.sorted().joined(separator: ", "))); see 'nanoatoms --help'", code: 2)
        }
    }
}

func modelOptions(_ cl: OptionParser, element: Element) -> ModelBuildingOptions {
    var o = ModelBuildingOptions(element: element)
    if let d = cl.number("--mask-diameter", in: Limits.maskDiameter) { o.mask = .diameter(d) }
    if cl.flags.contains("--no-mask") { o.mask = .none }
    if let r = cl.options["--outlier-rule"] {
        guard let rule = OutlierRule(rawValue: r) else { fail("--outlier-rule takes robust, paper or none, not '\(r)'", code: 2) }
        o.outlierRule = rule
    }
    if let c = cl.options["--cn-min"] {
        if c == "off" { o.minimumCoordination = nil }
        else if let n = Int(c), n >= 0 { o.minimumCoordination = n }
        else { fail("--cn-min takes a whole number or off, not '\(c)'", code: 2) }
    }
    if let t = cl.whole("--threads", in: Limits.threads) { o.threads = t }
    if cl.flags.contains("--paper") {
        // The paper's method as published: its outlier rule, no recovery of weak atoms.
        if cl.options["--outlier-rule"] == nil { o.outlierRule = .paper }
        o.recoverWeakAtoms = false
        o.removeDetached = false
    }
    return o
}

/// What a run found, in a few lines, and its flags.
func report(_ run: ParticleRun, out: String) {
    let r = run.model, st = run.statistics
    print("atoms: \(r.atoms.count)  (components \(r.componentCount), split \(r.splitComponents), recovered \(r.recoveredAtoms), " +
          "removed \(r.removedCount(.lowCorrelation)) by correlation, \(r.removedCount(.lowCoordination)) by CN, \(r.removedCount(.detached)) detached)")
    print(String(format: "threshold: %.4f (Otsu %.4f), correlation %.4f", r.search.threshold, r.search.otsu, r.search.correlation))
    print(RunReport.maskSentence(r))
    print(String(format: "lattice: ā = %.4f Å (%@), CN radius %.3f Å", st.lattice.meanLatticeConstant, st.lattice.method.rawValue, st.coordinationRadius))
    printTable1(st)
    let pdb = RunOutputs.pdbProblem(st.atoms)
    print(String(format: "time: %.3f s; wrote %@/%@model.cif, atoms.csv, summary.json, report.html and plots/", run.timings.total, out,
                 pdb == nil ? "model.pdb, " : ""))
    if let pdb { print("model.pdb not written: \(pdb)") }
    printFlags(run.flags)
}

/// The paper's Table 1 row on one line.
func printTable1(_ st: ParticleStatistics) {
    print("table 1: " + st.table1.map { "\($0.label) \($0.text)\($0.unit.isEmpty || !$0.value.isFinite ? "" : " " + $0.unit)" }.joined(separator: ", "))
}

/// Each quality flag on its own line, after a count ("no quality flags" when there are none).
func printFlags(_ flags: [QualityFlag]) {
    if flags.isEmpty { print("quality: no flags"); return }
    print("quality: \(flags.count) flag\(flags.count == 1 ? "" : "s"): these results need checking")
    for f in flags { print("  flag \(f)") }
}

/// Atom positions from a model file: our CSV (x, y, z columns) or a PDB.
func readModel(_ path: String, element: Element) throws -> [Vector3] {
    let text = try readInputText(path)
    if path.lowercased().hasSuffix(".pdb") || path.lowercased().hasSuffix(".ent") {
        return try PDBFormat.parse(text, name: path).map(\.position)
    }
    return try CSVFormat.parseAtoms(text, element: element, name: path).positions
}

/// Statistics of a model from a file, with shape statistics when a map is given.
func modelStatistics(_ cl: OptionParser) {
    guard cl.positional.count == 1 else { fail("stats takes one model, not \(cl.positional.count): nanoatoms stats MODEL [--map MAP.mrc]; see 'nanoatoms --help'", code: 2) }
    let path = cl.positional[0]
    var element: Element? = nil
    if let symbol = cl.options["--element"] {
        guard let e = Element.named(symbol) else { fail("unknown element '\(symbol)'; known: \(Element.all.map(\.symbol).joined(separator: ", "))", code: 2) }
        element = e
    }
    do {
        guard ModelFile.isModel(path) else { fail("\(path): a model is .pdb, .cif, .csv or .xyz", code: 2) }
        var atoms = try ModelFile.read(path: path, element: element)
        if let e = element { atoms.element = e }
        var evidence: MapEvidence? = nil
        if let m = cl.options["--map"] {
            let map = try MRCFormat.read(path: m, voxelSize: nil)
            evidence = MapEvidence(raw: map, regions: nil, profile: AtomProfile.peng(atoms.element, voxelSize: map.voxelSize),
                                   radius: atoms.element.radius)
        }
        var so = StatisticsOptions()
        if let t = cl.whole("--threads", in: Limits.threads) { so.threads = t }
        let st = try computeStatistics(atoms: atoms, map: evidence, options: so, cancellation: nil)
        if let out = cl.options["--out"] { try writeAtomically(CSVFormat.text(st.atoms), to: out) }
        print("\(path): \(st.summary.atoms) \(atoms.element.symbol) atoms\(atoms[column: "atomic_number"] != nil ? " (several elements)" : "")")
        print("structure: \(st.structure.description)")
        print(String(format: "lattice: ā = %.4f Å (%@), CN radius %.3f Å", st.lattice.meanLatticeConstant, st.lattice.method.rawValue, st.coordinationRadius))
        printTable1(st)
        print(st.hasShapeStatistics ? "shape statistics: measured in the map" : "shape statistics: none (give --map MAP.mrc)")
        printFlags(st.flags)
    } catch let e as EngineError {
        fail(e.description)
    } catch {
        fail("\(path): \(error)")
    }
}

func runOneShot(_ args: [String]) {
switch args[1] {
case "stats":
    let cl = OptionParser(args.dropFirst(2))
    cl.check(allowed: ["--map", "--element", "--out", "--threads"])
    modelStatistics(cl)
case "run":
    let cl = OptionParser(args.dropFirst(2))
    cl.check(allowed: ["--element", "--out", "--apix", "--mask-diameter", "--outlier-rule", "--cn-min", "--threads"])
    guard cl.positional.count == 1 else { fail("run takes one map, not \(cl.positional.count): nanoatoms run MAP.mrc --element EL --out DIR; see 'nanoatoms --help'", code: 2) }
    let path = cl.positional[0]
    guard let symbol = cl.options["--element"] else { fail("run needs --element (e.g. --element Pt)", code: 2) }
    guard let element = Element.named(symbol) else {
        fail("unknown element '\(symbol)'; known: \(Element.all.map(\.symbol).joined(separator: ", "))", code: 2)
    }
    guard let out = cl.options["--out"] else { fail("run needs --out DIR", code: 2) }
    do {
        try checkRunFolder(out, allowed: ParticleRun.fileNames)
        let map = try MRCFormat.read(path: path, voxelSize: cl.number("--apix", in: Limits.voxelSize))
        // No cancellation flag: a one-shot run goes to the end.
        let run = try ParticleRun(map: consume map, options: modelOptions(cl, element: element))
        try run.write(to: out, mapName: (path as NSString).lastPathComponent)
        report(run, out: out)
    } catch let e as EngineError {
        fail(e.description)
    } catch {
        fail("\(path): \(error)")
    }
case "demo":
    let cl = OptionParser(args.dropFirst(2))
    cl.check(allowed: ["--out", "--threads"])
    let out = cl.options["--out"] ?? "nanoatoms-demo"
    do { try checkRunFolder(out, allowed: ParticleRun.fileNames) } catch { fail("\(error)") }
    var spec = ParticleSpec(element: Element.named("Pt")!)
    spec.atomCount = 309
    spec.snr = 6
    spec.expansion = 0.015
    spec.seed = 1
    let particle = TestParticle.make(spec)
    print("built-in sample: Pt cuboctahedron, \(particle.positions.count) atoms, box \(particle.map.nx)³, SNR \(spec.snr!)")
    let run: ParticleRun
    do {
        run = try ParticleRun(map: particle.map, options: modelOptions(cl, element: spec.element))
        try run.write(to: out, mapName: "built-in sample")
    } catch {
        fail("\(error)")
    }
    report(run, out: out)
    let result = run.model
    let matched = matchAtoms(result.atoms.positions, particle.positions, tolerance: 0.8)
    print(String(format: "against the true atoms: recall %.3f, precision %.3f, RMSD %.3f Å",
                 Double(matched.pairs.count) / Double(particle.positions.count),
                 Double(matched.pairs.count) / Double(max(1, result.atoms.count)), matched.rmsd))
case "compare":
    let cl = OptionParser(args.dropFirst(2))
    cl.check(allowed: ["--element"])
    guard cl.positional.count == 2 else { fail("compare takes two models, not \(cl.positional.count): nanoatoms compare FIRST SECOND; see 'nanoatoms --help'", code: 2) }
    guard let element = Element.named(cl.options["--element"] ?? "Pt") else { fail("unknown element", code: 2) }
    do {
        let models = try cl.positional.map { try readModel($0, element: element) }
        let c = compareModels(models[0], models[1], element: element)
        print("\(cl.positional[0]): \(c.firstCount) atoms; \(cl.positional[1]): \(c.secondCount) atoms")
        print(String(format: "common   %4d  %5.1f %%  (closer than %.2f Å)", c.common.count, c.commonPercent, c.commonDistance))
        print(String(format: "displaced %3d  %5.1f %%  (moved %.2f–%.2f Å)", c.displaced.count, c.displacedPercent, c.commonDistance, c.displacementDistance))
        print(String(format: "lost     %4d  %5.1f %%", c.lost.count, c.lostPercent))
        print(String(format: "gained   %4d  %5.1f %% of the second model", c.gained.count, c.gainedPercent))
        print(String(format: "RMS shift of common atoms: %.3f Å", matchAtoms(models[0], models[1], tolerance: c.commonDistance).rmsd))
    } catch let e as EngineError {
        fail(e.description)
    } catch {
        fail("\(error)")
    }
case "simulate":
    let cl = OptionParser(args.dropFirst(2))
    cl.check(allowed: ["--out", "--truth", "--element", "--shape", "--atoms", "--snr", "--expansion", "--disorder", "--box", "--apix", "--seed",
                       "--lowfreq", "--liquid", "--thickness", "--density", "--gradient", "--offset", "--model"])
    guard let out = cl.options["--out"] else { fail("simulate needs --out MAP.mrc", code: 2) }
    var model: AtomSet? = nil
    if let m = cl.options["--model"] {
        guard ModelFile.isModel(m) else { fail("--model takes a model file (.pdb, .cif, .csv, .xyz), not '\(m)'", code: 2) }
        do { model = try ModelFile.read(path: m, element: cl.options["--element"].flatMap(Element.named)) } catch { fail("\(error)") }
    }
    guard let element = cl.options["--element"].map({ Element.named($0) }) ?? model?.element ?? Element.named("Pt") else { fail("unknown element", code: 2) }
    var spec = ParticleSpec(element: element)
    spec.model = model?.positions
    if let s = cl.options["--shape"] {
        guard let shape = ParticleShape(rawValue: s) else { fail("--shape takes cuboctahedron, truncoct or irregular", code: 2) }
        spec.shape = shape
    }
    if let n = cl.whole("--atoms", in: Limits.simulatedAtoms) { spec.atomCount = n }
    spec.snr = cl.number("--snr", in: Limits.snr)
    if let v = cl.number("--expansion", in: Limits.expansion) { spec.expansion = v }
    if let v = cl.number("--disorder", in: Limits.disorder) { spec.surfaceDisorder = v }
    if let b = cl.whole("--box", in: Limits.simulatedBoxEdge) { spec.box = b }
    if let a = cl.number("--apix", in: Limits.voxelSize) { spec.voxelSize = a }
    if let s = cl.number("--seed", in: Limits.seed), s == s.rounded() { spec.seed = UInt64(s) }
    spec.background.lowFrequencyFraction = cl.number("--lowfreq", in: 0...1) ?? 0
    let thickness = cl.number("--thickness", in: 0.5...1000) ?? 10
    switch cl.options["--liquid"] {
    case nil, "none": break
    case "slab": spec.background.liquid = .slab(thickness: thickness)
    case "shell": spec.background.liquid = .shell(thickness: thickness)
    case let other?: fail("--liquid takes none, slab or shell, not '\(other)'", code: 2)
    }
    spec.background.liquidDensity = cl.number("--density", in: 0...10) ?? spec.background.liquidDensity
    spec.background.gradient = cl.number("--gradient", in: -10...10) ?? 0
    spec.background.offset = Vector3(cl.number("--offset", in: -1000...1000) ?? 0, 0, 0)
    do {
        try spec.validate()
        // Both outputs are checked before the (possibly long) simulation, and written as one.
        try checkOutputs([out] + (cl.options["--truth"].map { [$0] } ?? []))
        let particle = TestParticle.make(spec)
        var files: [(path: String, bytes: [UInt8])] = [(out, MRCFormat.encode(particle.map))]
        if let truth = cl.options["--truth"] {
            var atoms = AtomSet(element: element, positions: particle.positions)
            atoms.setColumn("cn", particle.coordination.map(Double.init))
            atoms.setColumn("uiso", particle.displacements.map(\.isotropicEquivalent))
            files.append((truth, Array(CSVFormat.text(atoms).utf8)))
        }
        try writeAtomically(files: files)
        print("simulated \(particle.positions.count) \(element) atoms (\(spec.model == nil ? spec.shape.rawValue : "model " + cl.options["--model"]!)) in a \(particle.map.nx)³ box, noise SD \(String(format: "%.4g", particle.noiseSD))")
    } catch {
        fail("\(error)")
    }
default:
    fail("unknown command '\(args[1])'; see 'nanoatoms --help'", code: 2)
}
}
