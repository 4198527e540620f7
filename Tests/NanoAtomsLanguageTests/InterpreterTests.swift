import Foundation
import Testing
import NanoAtomsEngine
import NanoAtomsLanguage

/// An interpreter that collects what it prints.
final class Session {
    var output: [String] = []
    let interpreter: Interpreter
    init(arguments: [String] = []) {
        var sink: [String] = []
        interpreter = Interpreter(arguments: arguments)
        interpreter.write = { sink.append($0) }
        _ = sink
        interpreter.write = { [unowned self] in self.output.append($0) }
    }
    /// Runs `source`; returns the error, if any.
    @discardableResult
    func run(_ source: String) -> LanguageError? {
        do { try interpreter.run(source, recordTranscript: true); return nil } catch { return error }
    }
    var last: String { output.last ?? "" }
}

@Suite("The interpreter")
struct InterpreterTests {
    @Test("variables, lists, members and printing")
    func basics() {
        let s = Session(arguments: ["a.mrc", "b.mrc"])
        #expect(s.run("x = [1, 2.5, \"s\", true]\nx\nx.count\nprint \"n =\" x.count args") == nil)
        #expect(s.output == ["[1, 2.5, \"s\", true]", "4", "n = 4 [\"a.mrc\", \"b.mrc\"]"])
    }

    @Test("unknown variables and members suggest the nearest name, at the right column")
    func suggestions() {
        let s = Session()
        s.run("den = 3")
        let e = s.run("x = den2")
        #expect(e?.message == "unknown variable 'den2' (did you mean 'den'?)")
        #expect(e?.location == Loc(line: 1, column: 5))
        s.run("v = simulate natoms=13 box=24")
        #expect(s.run("v.nxx")?.message == "a volume has no member 'nxx' (did you mean 'nx'?)")
    }

    @Test("argument checking: unknown, repeated, missing, extra and mistyped arguments", arguments: [
        ("denoise", "denoise needs 'map' (volume)"),
        ("denoise 3", "denoise: 'map' must be a map, not a number"),
        ("simulate natomz=10", "simulate has no argument 'natomz' (did you mean 'natoms'?)"),
        ("simulate natoms=10 natoms=12", "simulate: 'natoms' is given twice"),
        ("vars 1", "vars takes at most 0 positional argument(s)"),
        ("simulate \"cube\"", "simulate: 'shape' must be one of cuboctahedron, truncoct, irregular, not 'cube'"),
        ("simulate cube", "simulate: 'shape' must be one of cuboctahedron, truncoct, irregular, not 'cube'"),
        ("validate 1", "validate: 'atoms' must be atoms, not a number"),
        ("export 3 \"x.csv\"", "export: 'value' must be atoms or a table (from stats) or a map or a depth fit (from fitdepth) or a comparison (from compare), not a number"),
        ("simulate natoms=2.5", "simulate: 'natoms' must be a whole number"),
        ("help nothing", "help: no command or topic 'nothing'"),
        ("load \"/nonexistent.mrc\"", "load: /nonexistent.mrc: no such file"),
    ])
    func argumentChecking(source: String, message: String) {
        let e = Session().run(source)
        #expect(e?.message.hasPrefix(message) == true, "\(String(describing: e?.message))")
        #expect(e?.location != nil)
    }

    @Test("a failed statement changes no variable, even inside a loop")
    func failedStatement() {
        let s = Session()
        s.run("x = 1")
        #expect(s.run("for i in [1, 2] { x = i; y = nothing }") != nil)
        s.output.removeAll()
        s.run("x")
        #expect(s.output == ["1"])
        #expect(s.interpreter.variables["y"] == nil && s.interpreter.variables["i"] == nil)
    }

    @Test("set checks its options")
    func setOptions() {
        let s = Session()
        #expect(s.run("set element Au") == nil)
        #expect(s.interpreter.options.element?.symbol == "Au")
        #expect(s.run("set element Xx")?.message.hasPrefix("unknown element 'Xx'") == true)
        #expect(s.run("set thread 2")?.message.hasPrefix("unknown option 'thread' (did you mean 'threads'?)") == true)
        #expect(s.run("set threads 0")?.message == "'set threads' takes a whole number from 1 to 256")
        #expect(s.run("set threads 1e300")?.message == "'set threads' takes a whole number from 1 to 256")
    }

    @Test("steps that need an element say how to set it")
    func elementNeeded() throws {
        let folder = NSTemporaryDirectory() + "nano-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try MRCFormat.write(Volume(nx: 16, ny: 16, nz: 16, voxelSize: 0.4, fill: 1), to: folder + "/m.mrc")
        let s = Session()
        s.run("m = load \"\(folder)/m.mrc\"")
        #expect(s.run("d = denoise m")?.message == "denoise: which element? Say 'set element Pt' (or Au, Pd, ...) first")
        #expect(s.run("save m \"\(folder)/m.mrc\"")?.message == "save: \(folder)/m.mrc: refusing to overwrite an input of this session")
    }

    @Test("the whole pipeline step by step finds the simulated atoms and reports each value in one line")
    func pipeline() throws {
        let s = Session()
        let script = """
            set element Pt
            map = simulate cuboctahedron natoms=147 snr=6 seed=2
            den = denoise map
            binary = binarize den
            atoms = detect binary
            atoms = split atoms
            atoms = recover atoms
            atoms = validate atoms
            tab = stats atoms
            fit = fitdepth tab
            c = compare atoms map.truth
            map
            den
            binary
            atoms
            tab
            fit
            c
            summary tab
            """
        #expect(s.run(script) == nil, "\(s.output)")
        let lines = s.output
        #expect(lines.count == 8)
        #expect(lines[0].hasPrefix("volume ") && lines[0].contains("raw (simulated cuboctahedron, 147 Pt atoms)"))
        #expect(lines[1].contains("denoised"))
        #expect(lines[2].hasPrefix("mask: ") && lines[2].contains("thresholds tried"))
        #expect(lines[3].hasPrefix("atoms: 147 Pt (components"))
        #expect(lines[4].hasPrefix("table: 147 atoms"))
        #expect(lines[5].hasPrefix("fit of cn against radial depth: δ = "))
        #expect(lines[6].hasPrefix("comparison of simulated cuboctahedron, 147 Pt atoms (147 atoms) with the simulated atoms (147, the truth): common 100.0 %"))
        #expect(lines[6].contains("missed 0.0 % of the true atoms, extra 0.0 % of the model's"))
        #expect(lines[7].hasPrefix("Table 1 row: natoms 147"))
        // `build` does the same in one step.
        s.output.removeAll()
        #expect(s.run("b = build map\nprint b.count (compare b atoms).common_pct") == nil)
        #expect(s.output == ["147 100"])
    }

    @Test("show prints full views: the search curve, the removals, the CN bins")
    func show() {
        let s = Session()
        s.run("set element Pt\nmap = simulate natoms=55 snr=5\natoms = build map paper=true\nshow atoms")
        #expect(s.output.last?.contains("removed:") == true || s.output.last?.contains("first atoms") == true)
        s.run("den = denoise map\nshow binarize den")
        #expect(s.last.contains("← chosen"))
        s.run("show stats atoms")
        #expect(s.last.contains("by CN (mean ± S/√N"))
    }

    @Test("help lists every command; explain teaches each one")
    func helpAndExplain() {
        let s = Session()
        s.run("help")
        for c in allCommands { #expect(s.last.contains("  \(c.name) ")) }
        for c in allCommands {
            s.run("explain \(c.name)")
            #expect(s.last.hasPrefix("\(c.name): \(c.summary)"))
            #expect(c.teaching.count > 120, "\(c.name)'s teaching text is too short")
            s.run("help \(c.name)")
            #expect(s.last.hasPrefix(c.usage))
            // Every example parses.
            #expect(throws: Never.self) { try Parser.parse(c.example, commands: Interpreter.commandNames) }
        }
        s.run("help set")
        #expect(s.last.hasPrefix("set OPTION VALUE"))
    }

    @Test("export, source, glob and transcript work with files")
    func files() throws {
        let folder = NSTemporaryDirectory() + "nano-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "y = x @ 1\n".write(toFile: folder + "/bad.nano", atomically: true, encoding: .utf8)
        try "x = 41\nz = [x]\n".write(toFile: folder + "/good.nano", atomically: true, encoding: .utf8)
        let s = Session()
        #expect(s.run("source \"\(folder)/good.nano\"\nprint x z") == nil)
        #expect(s.last == "41 [41]")
        let e = s.run("source \"\(folder)/bad.nano\"")
        #expect(e?.file == "\(folder)/bad.nano" && e?.location == Loc(line: 1, column: 7))
        #expect(s.run("files = glob \"\(folder)/*.nano\"\nprint files.count") == nil)
        #expect(s.last == "2")
        s.run("set element Pt\nm = simulate natoms=13 seed=3\nt = stats (build m)\nexport t \"\(folder)/t.csv\"\nexport t \"\(folder)/t.pdb\"")
        let csv = try String(contentsOfFile: folder + "/t.csv", encoding: .utf8)
        #expect(csv.hasPrefix("id,x,y,z,") && csv.split(separator: "\n").count == 14)
        #expect(try String(contentsOfFile: folder + "/t.pdb", encoding: .utf8).contains("ATOM      1 PT    PT A   1"))
        #expect(s.run("transcript \"\(folder)/t.nano\"") == nil)
        let replay = try String(contentsOfFile: folder + "/t.nano", encoding: .utf8)
        #expect(!replay.contains("bad.nano"))                  // failed statements are left out
        #expect(replay.contains("m = simulate natoms=13 seed=3\nt = stats (build m)"))
        let again = Session()
        #expect(again.run(replay) == nil)
        #expect(again.interpreter.variables["t"]?.type == .table)
    }
}

@Suite("Checking scripts without running them")
struct CheckerTests {
    @Test("a correct script has no problems")
    func clean() {
        #expect(Checker.check("set element Pt\nm = simulate\nd = denoise m\nk = binarize d\na = detect k | split\nt = stats a\nfitdepth t \"uiso\"\nfor f in glob \"*.mrc\" { x = load f; print f }").isEmpty)
    }

    @Test("finds unknown variables, arguments and type errors, with positions")
    func problems() {
        let p = Checker.check("m = simulate\nd = denoise mm\nt = stats m\nv = validate d rulz=\"paper\"\nset thread 2")
        #expect(p.map(\.message) == [
            "unknown variable 'mm' (did you mean 'm'?)",
            "stats: 'atoms' must be atoms, not a map",
            "validate has no argument 'rulz' (did you mean 'rule'?); usage: validate atoms rule=\"robust\" cnmin=3 detached=true",
            "validate: 'atoms' must be atoms, not a map",
            "unknown option 'thread' (did you mean 'threads'?)",
        ])
        #expect(p[0].location == Loc(line: 2, column: 13))
    }

    @Test("the checker and the interpreter bind alike: every binding error a run meets, check finds first, at the same place",
          arguments: ["denoise", "denoise 3", "simulate natomz=10", "simulate natoms=10 natoms=12", "vars 1",
                      "simulate \"cube\"", "validate 1", "simulate natoms=2.5", "simulate snr=-1",
                      "m = simulate\nb = build m\nv = validate b rule=\"papr\"", "m = simulate box=4"])
    func sameBinder(source: String) {
        let run = Session().run(source)
        let checked = Checker.check(source)
        #expect(run != nil)
        #expect(checked.first?.message == run?.message, "check: \(checked.map(\.message)); run: \(String(describing: run?.message))")
        #expect(checked.first?.location == run?.location)
    }
}

@Suite("Tab completion")
struct CompletionTests {
    let interpreter: Interpreter = {
        let i = Interpreter()
        try? i.run("den = 1\ndensity = 2\ntab = [1]")
        return i
    }()

    @Test("command names and variables at the start; options, variables and commands after a command")
    func candidates() {
        #expect(Completion.candidates(before: "", word: "den", interpreter: interpreter) == ["denoise", "den", "density"])
        #expect(Completion.candidates(before: "x = ", word: "bin", interpreter: interpreter) == ["binarize"])
        #expect(Completion.candidates(before: "simulate ", word: "na", interpreter: interpreter) == ["natoms="])
        #expect(Completion.candidates(before: "simulate natoms=3 ", word: "n", interpreter: interpreter) == ["noiseseed="])
        #expect(Completion.candidates(before: "binarize ", word: "de", interpreter: interpreter) == ["den", "density", "denoise", "detect"])
        #expect(Completion.candidates(before: "simulate ", word: "tr", interpreter: interpreter) == ["truncoct", "transcript"])
        #expect(Completion.candidates(before: "validate a ", word: "ru", interpreter: interpreter) == ["rule="])
        #expect(Completion.candidates(before: "set ", word: "th", interpreter: interpreter) == ["threads"])
        #expect(Completion.candidates(before: "set element ", word: "P", interpreter: interpreter) == ["Pd", "Pt"])
        #expect(Completion.candidates(before: "explain ", word: "sp", interpreter: interpreter) == ["split"])
        #expect(Completion.candidates(before: "print ", word: "tab.c", interpreter: interpreter) == ["tab.count"])
    }

    @Test("an option's allowed values after option=, columns inside where, user commands, if and def")
    func valuesAndColumns() {
        let i = Interpreter()
        try? i.run("set element Pt\natoms = build (simulate natoms=55 seed=2 snr=8)\ndef mine(x) { return x }")
        #expect(Completion.candidates(before: "plot atoms kind=", word: "bi", interpreter: i) == ["bins"])
        #expect(Completion.candidates(before: "validate atoms rule=", word: "", interpreter: i) == ["robust", "paper", "none"])
        #expect(Completion.candidates(before: "sel = atoms where ", word: "valid_c", interpreter: i) == ["valid_corr_sphere"])
        #expect(Completion.candidates(before: "sel = atoms where nvox > 3 ", word: "a", interpreter: i) == ["and", "args", "atoms"])
        #expect(Completion.candidates(before: "", word: "mi", interpreter: i) == ["min", "mine"])
        #expect(Completion.candidates(before: "", word: "de", interpreter: i).contains("def"))
    }
}
