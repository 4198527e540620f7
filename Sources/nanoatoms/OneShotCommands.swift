import ArgumentParser
import Foundation
import NanoAtomsEngine
import NanoAtomsLanguage

// One-shot commands (run, demo, stats, compare, simulate, check), declared with
// swift-argument-parser: typed options, --help, --version and one-line usage errors.

/// The version `nanoatoms --version` prints.
let nanoatomsVersion = Provenance.version

/// Prints `message` to standard error and exits with status `code`.
func fail(_ message: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data(("nanoatoms: " + message + "\n").utf8))
    exit(code)
}

/// The root command: the one-shot commands, and in its help how scripts and the shell start.
struct NanoAtomsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nanoatoms",
        abstract: "An atomic model and per-atom statistics from a 3D density map of a metal nanoparticle.",
        discussion: """
            Without a command:
              nanoatoms                      the interactive shell (on a terminal), or a script read from standard input
              nanoatoms FILE.nano [ARGS...]  run a script; ARGS are visible to it as the list 'args'
              nanoatoms -c 'STATEMENTS'      run statements given on the command line
            In the shell, 'help' lists the commands and 'explain COMMAND' teaches each step.
            """,
        version: nanoatomsVersion,
        subcommands: [RunCommand.self, DemoCommand.self, StatsCommand.self, CompareCommand.self, StudyCommand.self, SimulateCommand.self, CheckCommand.self,
                      KernelCommand.self])

    /// The names of the one-shot commands, which main.swift hands to this parser.
    static let names: Set<String> = Set(configuration.subcommands.map { $0.configuration.commandName ?? "" })

    /// Parses `arguments` (without the program's name) and runs the command; a usage error is
    /// one line naming the problem and where help is, with exit status 2.
    static func dispatch(_ arguments: [String]) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Foundation.exit(0)
        } catch {
            // A command that said what was wrong itself ends with its own status.
            if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            // One line: a list of allowed values ("- Al", "- Ni", …) joins its heading.
            var line = ""
            for part in message(for: error).split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
                if part.hasPrefix("- ") { line += (line.hasSuffix(":") ? " " : ", ") + part.dropFirst(2) }
                else { line += (line.isEmpty ? "" : "; ") + part }
            }
            let sub = arguments.first.flatMap { names.contains($0) ? " " + $0 : nil } ?? ""
            fail("\(line) (see 'nanoatoms\(sub) --help')", code: 2)
        }
    }
}

/// An element given by its symbol.
struct ElementArgument: ExpressibleByArgument {
    let element: Element
    init?(argument: String) {
        guard let e = Element.named(argument) else { return nil }
        element = e
    }
    static var allValueStrings: [String] { Element.all.map(\.symbol) }
}

/// The outlier rule by name.
struct OutlierRuleArgument: ExpressibleByArgument {
    let rule: OutlierRule
    init?(argument: String) {
        guard let r = OutlierRule(rawValue: argument) else { return nil }
        rule = r
    }
    static var allValueStrings: [String] { OutlierRule.allCases.map(\.rawValue) }
}

/// `--cn-min`: a whole number, or "off".
struct MinimumCoordinationArgument: ExpressibleByArgument {
    let value: Int?
    init?(argument: String) {
        if argument == "off" { value = nil; return }
        guard let n = Int(argument), (0...12).contains(n) else { return nil }
        value = n
    }
}

/// A usage error unless `value` lies in `range`.
func check(_ value: Double?, _ name: String, within range: ClosedRange<Double>) throws {
    guard let v = value else { return }
    guard v.isFinite, range.contains(v) else {
        throw ValidationError("\(name) takes a number from \(Limits.formatBound(range.lowerBound)) to \(Limits.formatBound(range.upperBound)), not \(v)")
    }
}

/// A usage error unless `value` lies in `range`.
func check(_ value: Int?, _ name: String, within range: ClosedRange<Int>) throws {
    guard let v = value else { return }
    guard range.contains(v) else { throw ValidationError("\(name) takes a whole number from \(range.lowerBound) to \(range.upperBound), not \(v)") }
}

/// Model-building choices shared by run and demo.
struct BuildingOptions: ParsableArguments {
    @Option(name: .customLong("mask-diameter"), help: ArgumentHelp("A sphere of this diameter (Å) at the box centre instead of the automatic mask.", valueName: "Å"))
    var maskDiameter: Double?
    @Flag(name: .customLong("no-mask"), help: "No mask (the whole box).")
    var noMask = false
    @Option(name: .customLong("outlier-rule"), help: "Which correlations are outliers: robust, paper (2 SD below the mean) or none.")
    var outlierRule: OutlierRuleArgument?
    @Option(name: .customLong("cn-min"), help: ArgumentHelp("Remove atoms with fewer neighbours; off keeps them.", valueName: "N|off"))
    var minimumCoordination: MinimumCoordinationArgument?
    @Option(help: ArgumentHelp("A fixed threshold on the denoised map instead of the search.", valueName: "T"))
    var threshold: Double?
    @Flag(help: "The paper's method as published: the 2-SD rule, no recovery of weak atoms, detached atoms kept, no refinement.")
    var paper = false
    @Flag(inversion: .prefixedNo, help: "Refine the validated model against the map (on by default; off with --no-refine or --paper): positions, occupancies and displacements fitted jointly, with standard errors.")
    var refine = true
    @Flag(help: "Also refine each atom's anisotropic displacement U against the map, the other atoms modelled (columns u11_refined … u23_refined and sigma_u11 … sigma_u23; ANISOU still holds the paper's per-atom fit).")
    var anisotropic = false
    @Option(help: "Threads for the large steps.")
    var threads: Int?

    mutating func validate() throws {
        try check(maskDiameter, "--mask-diameter", within: Limits.maskDiameter)
        try check(threshold, "--threshold", within: -1e6...1e6)
        try check(threads, "--threads", within: Limits.threads)
        if noMask && maskDiameter != nil { throw ValidationError("--no-mask and --mask-diameter exclude each other") }
        if anisotropic && (!refine || paper) { throw ValidationError("--anisotropic refines the model: it excludes --no-refine and --paper") }
    }

    /// The options for `element`: the same translation a study file's options get
    /// (``StudyMapOptions/buildingOptions(threads:)``).
    func options(element: Element) -> ModelBuildingOptions {
        var o = StudyMapOptions()
        o.element = element
        o.maskDiameter = maskDiameter
        o.noMask = noMask
        o.paper = paper
        o.outlierRule = outlierRule?.rule
        o.minimumCoordination = minimumCoordination.map { $0.value }
        o.threshold = threshold
        o.refine = refine
        o.anisotropic = anisotropic
        return o.buildingOptions(threads: threads ?? Parallel.availableCores)
    }
}

/// What a run found, in a few lines, and its flags.
func report(_ run: ParticleRun, out: String) {
    let r = run.model, st = run.statistics
    print("atoms: \(r.atoms.count)  (components \(r.componentCount), split \(r.splitComponents), recovered \(r.recoveredAtoms), " +
          "removed \(r.removedCount(.lowCorrelation)) by correlation, \(r.removedCount(.lowCoordination)) by CN, \(r.removedCount(.detached)) detached)")
    print(String(format: "threshold: %.4f (Otsu %.4f), correlation %.4f", r.search.threshold, r.search.otsu, r.search.correlation))
    print(RunReport.maskSentence(r))
    print(RunReport.refinementSentence(r))
    print(String(format: "lattice: ā = %.4f Å (%@), CN radius %.3f Å", st.lattice.meanLatticeConstant, st.lattice.method.rawValue, st.coordinationRadius))
    printTable1(st)
    let pdb = RunOutputs.pdbProblem(st.atoms)
    print(String(format: "time: %.3f s; wrote %@/%@model.cif, atoms.csv, summary.json, report.html (with a 3D view), plots/ and model.cxc (ChimeraX)", run.timings.total, out,
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

/// Runs `body`, turning an engine error into one line and exit status 1.
func reporting(_ name: String, _ body: () throws -> Void) {
    do { try body() }
    catch let e as EngineError { fail(e.description) }
    catch { fail("\(name): \(error)") }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Build the model of a map and write its files: model.cif, model.pdb, atoms.csv, summary.json, report.html, plots/.")
    @Argument(help: "The map (MRC).") var map: String
    @Option(help: "The particle's element, e.g. Pt.") var element: ElementArgument
    @Option(help: "The folder to write (new, empty or a previous run's).") var out: String
    @Option(help: ArgumentHelp("The voxel size, when the map's header has none.", valueName: "Å")) var apix: Double?
    @OptionGroup var building: BuildingOptions
    @Option(name: .customLong("half-maps"), parsing: .upToNextOption,
            help: ArgumentHelp("Two half maps (part1 part2) on the map's grid: the refined model is fitted to each, and each atom's distance between them is written (implies --refine).", valueName: "part1 part2"))
    var halfMaps: [String] = []

    mutating func validate() throws {
        try check(apix, "--apix", within: Limits.voxelSize)
        if !halfMaps.isEmpty && halfMaps.count != 2 { throw ValidationError("--half-maps takes two maps (part1 part2), not \(halfMaps.count)") }
        if !halfMaps.isEmpty && building.paper { throw ValidationError("--half-maps refines the model, which --paper does not") }
    }

    func run() throws {
        reporting(map) {
            try checkRunFolder(out, allowed: ParticleRun.fileNames)
            let volume = try MRCFormat.read(path: map, voxelSize: apix)
            var options = building.options(element: element.element)
            var halves: (Volume, Volume)? = nil
            if halfMaps.count == 2 {
                let h = (try MRCFormat.read(path: halfMaps[0], voxelSize: apix),
                         try MRCFormat.read(path: halfMaps[1], voxelSize: apix))
                try checkHalfMaps(volume, h, names: (halfMaps[0], halfMaps[1]))
                halves = h
                options.refine = true
            }
            // The inputs' checksums for the provenance, on a thread of their own while the model
            // is built (hashing a large map takes about as long as reading it).
            let files = [("map", map)] + zip(["part1", "part2"], halfMaps).map { ($0, $1) }
            let inputs = ConcurrentResult { try files.map { try Provenance.Input(role: $0.0, path: $0.1) } }
            // No cancellation flag: a one-shot run goes to the end.
            let run = try ParticleRun(map: consume volume, options: options, halves: halves)
            try run.write(to: out, mapName: PathComponents.last(of: map), provenance: Provenance(inputs: try inputs.value()))
            report(run, out: out)
        }
    }
}

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Run the whole pipeline on the built-in sample (a simulated 309-atom Pt particle) and score it against the true atoms.")
    @Option(help: "The folder to write.") var out = "nanoatoms-demo"
    @OptionGroup var building: BuildingOptions

    func run() throws {
        reporting(out) {
            try checkRunFolder(out, allowed: ParticleRun.fileNames)
            var spec = ParticleSpec(element: Element.named("Pt")!)
            spec.atomCount = 309
            spec.snr = 6
            spec.expansion = 0.015
            spec.seed = 1
            let particle = TestParticle.make(spec)
            print("built-in sample: Pt cuboctahedron, \(particle.positions.count) atoms, box \(particle.map.nx)³, SNR \(spec.snr!)")
            let run = try ParticleRun(map: particle.map, options: building.options(element: spec.element))
            try run.write(to: out, mapName: "built-in sample")
            report(run, out: out)
            let matched = matchAtoms(run.model.atoms.positions, particle.positions, tolerance: 0.8)
            print(String(format: "against the true atoms: recall %.3f, precision %.3f, RMSD %.3f Å",
                         Double(matched.pairs.count) / Double(particle.positions.count),
                         Double(matched.pairs.count) / Double(max(1, run.model.atoms.count)), matched.rmsd))
        }
    }
}

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Per-atom statistics of any model (.pdb, .cif, .csv, .xyz); shape statistics need --map.")
    @Argument(help: "The model.") var model: String
    @Option(help: "A map to measure the shape statistics in (MRC).") var map: String?
    @Option(help: "The element, when the file does not say.") var element: ElementArgument?
    @Option(help: "A CSV file to write the table to.") var out: String?
    @Option(help: "Threads.") var threads: Int?
    @Option(name: .long, help: ArgumentHelp("A neighbour cut-off instead of the lattice's CN radius (a bond-cutoff analysis).", valueName: "Å"))
    var cutoff: Double?

    mutating func validate() throws {
        try check(threads, "--threads", within: Limits.threads)
        try check(cutoff, "--cutoff", within: Limits.coordinationCutoff)
        guard ModelFile.isModel(model) else { throw ValidationError("\(model): a model is .pdb, .cif, .csv or .xyz") }
    }

    func run() throws {
        reporting(model) {
            var atoms = try ModelFile.read(path: model, element: element?.element)
            if let e = element?.element { atoms.element = e }
            var evidence: MapEvidence? = nil
            if let m = map {
                let volume = try MRCFormat.read(path: m, voxelSize: nil)
                evidence = MapEvidence(raw: volume, regions: nil, profile: AtomProfile.peng(atoms.element, voxelSize: volume.voxelSize),
                                       radius: atoms.element.radius)
            }
            var so = StatisticsOptions()
            if let t = threads { so.threads = t }
            so.coordinationRadius = cutoff
            let st = try computeStatistics(atoms: atoms, map: evidence, options: so, cancellation: nil)
            if let out { try writeAtomically(CSVFormat.text(st.atoms), to: out) }
            print("\(model): \(st.summary.atoms) \(atoms.element.symbol) atoms\(atoms[column: "atomic_number"] != nil ? " (several elements)" : "")")
            print("structure: \(st.structure.description)")
            print(String(format: "lattice: ā = %.4f Å (%@), CN radius %.3f Å", st.lattice.meanLatticeConstant, st.lattice.method.rawValue, st.coordinationRadius))
            printTable1(st)
            print(st.hasShapeStatistics ? "shape statistics: measured in the map" : "shape statistics: none (give --map MAP.mrc)")
            printFlags(st.flags)
        }
    }
}

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compare", abstract: "Common, displaced, lost and gained atoms between two models of one particle (e.g. part1 and part2).")
    @Argument(help: "The first model (.pdb, .cif, .csv, .xyz).") var first: String
    @Argument(help: "The second model.") var second: String
    @Option(help: "The element, when the files do not say.") var element: ElementArgument?

    func run() throws {
        reporting(first) {
            let models = try [first, second].map { path -> AtomSet in
                guard ModelFile.isModel(path) else { throw EngineError("\(path): a model is .pdb, .cif, .csv or .xyz") }
                return try ModelFile.read(path: path, element: element?.element)
            }
            let e = element?.element ?? models[0].element
            let c = compareModels(models[0].positions, models[1].positions, element: e)
            print("\(first): \(c.firstCount) atoms; \(second): \(c.secondCount) atoms")
            print(String(format: "common   %4d  %5.1f %%  (closer than %.2f Å)", c.common.count, c.commonPercent, c.commonDistance))
            print(String(format: "displaced %3d  %5.1f %%  (moved %.2f–%.2f Å)", c.displaced.count, c.displacedPercent, c.commonDistance, c.displacementDistance))
            print(String(format: "lost     %4d  %5.1f %%", c.lost.count, c.lostPercent))
            print(String(format: "gained   %4d  %5.1f %% of the second model", c.gained.count, c.gainedPercent))
            print(String(format: "RMS shift of common atoms: %.3f Å", matchAtoms(models[0].positions, models[1].positions, tolerance: c.commonDistance).rmsd))
        }
    }
}

/// The shapes `simulate --shape` takes.
extension ParticleShape: ExpressibleByArgument {}

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "simulate", abstract: "Simulate the map of an fcc particle, or of any model, with known atoms.")
    @Option(help: "The map to write (MRC).") var out: String
    @Option(help: "A CSV file of the true atoms (with cn and uiso).") var truth: String?
    @Option(help: "The metal (default: the model's, else Pt).") var element: ElementArgument?
    @Option(help: "The particle's shape.") var shape: ParticleShape?
    @Option(help: "A model to render instead of a shape (.pdb, .cif, .csv, .xyz).") var model: String?
    @Option(help: "Atoms asked for (regular shapes take the nearest size).") var atoms: Int?
    @Option(help: "Median atom peak over noise SD; none without.") var snr: Double?
    @Option(help: "Lattice expansion over bulk, e.g. 0.015.") var expansion: Double?
    @Option(help: ArgumentHelp("RMS static displacement of surface atoms.", valueName: "Å")) var disorder: Double?
    @Option(help: ArgumentHelp("Box edge; default the particle plus 12 Å.", valueName: "voxels")) var box: Int?
    @Option(help: ArgumentHelp("Voxel size.", valueName: "Å")) var apix: Double?
    @Option(help: "Random seed: same seed, same map.") var seed: UInt64?
    @Option(help: "Share of the noise variance at low frequency.") var lowfreq: Double?
    @Option(help: "Liquid around the particle: none, slab or shell.") var liquid: String?
    @Option(help: ArgumentHelp("Thickness of the liquid.", valueName: "Å")) var thickness: Double?
    @Option(help: "The liquid's mean density over the median atom peak.") var density: Double?
    @Option(help: "Background change across the box's diagonal over the median atom peak.") var gradient: Double?
    @Option(help: ArgumentHelp("The particle's displacement from the box centre along x.", valueName: "Å")) var offset: Double?

    mutating func validate() throws {
        try check(atoms, "--atoms", within: Limits.simulatedAtoms)
        try check(snr, "--snr", within: Limits.snr)
        try check(expansion, "--expansion", within: Limits.expansion)
        try check(disorder, "--disorder", within: Limits.disorder)
        try check(box, "--box", within: Limits.simulatedBoxEdge)
        try check(apix, "--apix", within: Limits.voxelSize)
        try check(seed.map(Double.init), "--seed", within: Limits.seed)
        try check(lowfreq, "--lowfreq", within: 0...1)
        try check(thickness, "--thickness", within: 0.5...1000)
        try check(density, "--density", within: 0...10)
        try check(gradient, "--gradient", within: -10...10)
        try check(offset, "--offset", within: -1000...1000)
        if let l = liquid, !["none", "slab", "shell"].contains(l) { throw ValidationError("--liquid takes none, slab or shell, not '\(l)'") }
        if let m = model, !ModelFile.isModel(m) { throw ValidationError("--model takes a model file (.pdb, .cif, .csv, .xyz), not '\(m)'") }
        if model != nil && shape != nil { throw ValidationError("--model and --shape exclude each other") }
    }

    func run() throws {
        reporting(out) {
            let given = self.element?.element
            let loaded = try model.map { try ModelFile.read(path: $0, element: given) }
            let metal = given ?? loaded?.element ?? Element.named("Pt")!
            var spec = ParticleSpec(element: metal)
            spec.model = loaded?.positions
            if let shape { spec.shape = shape }
            if let atoms { spec.atomCount = atoms }
            spec.snr = snr
            if let expansion { spec.expansion = expansion }
            if let disorder { spec.surfaceDisorder = disorder }
            if let box { spec.box = box }
            if let apix { spec.voxelSize = apix }
            if let seed { spec.seed = seed }
            spec.background.lowFrequencyFraction = lowfreq ?? 0
            switch liquid {
            case "slab": spec.background.liquid = .slab(thickness: thickness ?? 10)
            case "shell": spec.background.liquid = .shell(thickness: thickness ?? 10)
            default: break
            }
            if let density { spec.background.liquidDensity = density }
            spec.background.gradient = gradient ?? 0
            spec.background.offset = Vector3(offset ?? 0, 0, 0)
            try spec.validate()
            // Both outputs are checked before the (possibly long) simulation, and written as one.
            try checkOutputs([out] + (truth.map { [$0] } ?? []))
            let particle = TestParticle.make(spec)
            var files: [(path: String, bytes: [UInt8])] = [(out, MRCFormat.encode(particle.map))]
            if let truth {
                var atoms = AtomSet(element: metal, positions: particle.positions)
                atoms.setColumn("cn", particle.coordination.map(Double.init))
                atoms.setColumn("uiso", particle.displacements.map(\.isotropicEquivalent))
                files.append((truth, Array(CSVFormat.text(atoms).utf8)))
            }
            try writeAtomically(files: files)
            print("simulated \(particle.positions.count) \(metal) atoms (\(model.map { "model " + $0 } ?? spec.shape.rawValue)) in a \(particle.map.nx)³ box, noise SD \(String(format: "%.4g", particle.noiseSD))")
        }
    }
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Check a script's syntax, names and arguments without running it.")
    @Argument(help: "The script (.nano).") var script: String

    func run() throws {
        let source = readText(script)
        let problems = Checker.check(source)
        for p in problems { FileHandle.standardError.write(Data((p.report(file: script, source: source) + "\n").utf8)) }
        if !problems.isEmpty { throw ExitCode(1) }
        print("\(script): ok")
    }
}

/// A value computed on another thread while the caller goes on; ``value()`` waits for it.
final class ConcurrentResult<T>: @unchecked Sendable {
    private var result: Result<T, Error>? = nil
    private let done = DispatchSemaphore(value: 0)

    /// Starts `work` at once on a global queue.
    init(_ work: @escaping @Sendable () throws -> T) {
        DispatchQueue.global().async { [self] in
            result = Result { try work() }
            done.signal()
        }
    }

    /// The value, or the error `work` threw; waits until it is there.
    func value() throws -> T {
        done.wait()
        done.signal()
        return try result!.get()
    }
}
