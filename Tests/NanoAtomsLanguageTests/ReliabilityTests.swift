import Foundation
import Testing
import NanoAtomsEngine
import NanoAtomsLanguage

@Suite("Hostile input to the language")
struct ReliabilityTests {
    @Test("deep nesting is an error at the first level too many, never a stack overflow",
          arguments: [
            "x = " + String(repeating: "(", count: 6000) + "1" + String(repeating: ")", count: 6000),
            "x = " + String(repeating: "[", count: 2300) + "1" + String(repeating: "]", count: 2300),
            String(repeating: "for i in [1] { ", count: 2000) + "print i" + String(repeating: " }", count: 2000),
            "m = simulate natoms=13" + String(repeating: " | mask", count: 1250),
            "x = " + String(repeating: "text ", count: 3000) + "1",
            "x = args" + String(repeating: ".count", count: 3000),
          ])
    func nesting(source: String) {
        let s = Session()
        let e = s.run(source)
        #expect(e?.message.hasPrefix("nesting deeper than \(Parser.maximumNesting) levels") == true)
        #expect(Checker.check(source).first?.message.hasPrefix("nesting deeper than") == true)
        // Just under the limit still runs.
        #expect(s.run("x = " + String(repeating: "(", count: 90) + "1" + String(repeating: ")", count: 90)) == nil)
    }

    @Test("every number is checked where it enters, with the range in the error",
          arguments: [
            ("set threads 1e300", "'set threads' takes a whole number from 1 to 256"),
            ("simulate apix=1e-300", "simulate: 'apix' must lie between 0.05 and 5 Å, not 1e-300"),
            ("simulate expansion=1e300", "simulate: 'expansion' must lie between -0.3 and 0.3 fraction, not 1e+300"),
            ("simulate box=99999999", "simulate: 'box' must lie between 8 and 512 voxels, not 99999999"),
            ("simulate natoms=999999999", "simulate: 'natoms' must lie between 1 and 100000, not 999999999"),
            ("simulate natoms=2.5", "simulate: 'natoms' must be a whole number, not 2.5"),
            // 100,000 fcc atoms of Pt (a = 3.924 Å, four per cell) fill a sphere of 142.4 Å;
            // with 25 % for shape and 12 Å of margin that is 190 Å, 3800 voxels of 0.05 Å.
            ("simulate natoms=100000 apix=0.05", "simulate: 100000 atoms at 0.05 Å per voxel need a box of about 3800 voxels; simulated boxes are 8 to 512 voxels on a side (fewer atoms or a larger voxel size)"),
            ("m = simulate natoms=13\nplot m at=1e300", "plot: 'at' must lie between -1000000 and 1000000 Å, not 1e+300"),
            ("m = simulate natoms=13\ndenoise m bfactor=1e300", "denoise: 'bfactor' must lie between 0.1 and 1000 Å², not 1e+300"),
            ("m = simulate natoms=13\nmask m diameter=1e300", "mask: 'diameter' must lie between 2 and 10000 Å, not 1e+300"),
            ("x = 1e400", "the number 1e400 is too large (at most about 1.8e308)"),
          ])
    func numbers(source: String, message: String) {
        let s = Session()
        s.run("set element Pt")
        #expect(s.run(source)?.message == message)
    }

    @Test("work that would never end is stopped with a clear error: deep loops, self-doubling lists")
    func runaway() {
        let s = Session()
        let loops = String(repeating: "for i in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] { ", count: 7) + "x = i" + String(repeating: " }", count: 7)
        let e = s.run("y = 1\n" + loops)
        #expect(e?.message.hasPrefix("this script has run \(Interpreter.maximumSteps) steps") == true)
        #expect(s.interpreter.variables["x"] == nil)
        // A list that holds itself twice, 60 times over, prints in one short line.
        #expect(s.run("x = [1]\n" + String(repeating: "x = [x, x]\n", count: 60) + "x") == nil)
        #expect(s.last == "[[[[… 2 items], [… 2 items]], [[… 2 items], [… 2 items]]], [[[… 2 items], [… 2 items]], [[… 2 items], [… 2 items]]]]")
        // The budget is per run: a new statement starts afresh.
        #expect(s.run("for i in [1, 2] { y = i }") == nil)
    }

    @Test("scripts with CRLF line ends or a byte-order mark run as if written with LF")
    func lineEnds() {
        for source in ["x = 1\r\ny = [x,\r\n 2]\r\nprint y.count\r\n", "\u{FEFF}x = 1\ny = [x, 2]\nprint y.count\n", "x = 1\ry = [x, 2]\rprint y.count"] {
            let s = Session()
            #expect(s.run(source) == nil)
            #expect(s.last == "2")
        }
        let e = Session().run("x = 1\r\ny = unknown\r\n")
        #expect(e?.location == SourceLocation(line: 2, column: 5))
        #expect(e?.report(file: "a.nano", source: "x = 1\r\ny = unknown\r\n") == "a.nano:2:5: error: unknown variable 'unknown'\n    y = unknown\n        ^")
    }

    @Test("every error is one line, then the source line and a caret, whatever the input holds")
    func oneLineErrors() {
        let cases = ["print \"abc\\\nmore\"", "x = 1 \u{200B}", "x = \"a\u{0}b\" y", "print \u{FEFF}x"]
        for source in cases {
            let e = Session().run(source)
            #expect(e != nil)
            let report = e!.report(file: "s.nano", source: source).split(separator: "\n", omittingEmptySubsequences: false)
            #expect(report.count == 3, "\(report)")
            #expect(report.last?.trimmingCharacters(in: .whitespaces) == "^")
            #expect(!e!.message.unicodeScalars.contains { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format })
        }
        #expect(Session().run("print \"abc\\\nmore\"")?.message == "a string cannot span lines (a backslash ends this line); close it with \"")
        #expect(Session().run("x = 1 \u{200B}")?.message == "unexpected invisible character U+200B (delete it: it may have come with copied text)")
    }

    @Test("special files are refused as scripts and as outputs; a sourced script is never overwritten")
    func files() throws {
        let folder = NSTemporaryDirectory() + "nano-rel-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let s = Session()
        #expect(s.run("source \"/dev/zero\"")?.message == "source: /dev/zero: is a character device, not a regular file: give a map, model or script file")
        try writeAtomically("y = 2\n", to: folder + "/setup.nano")
        #expect(s.run("source \"\(folder)/setup.nano\"") == nil)
        #expect(s.run("transcript \"\(folder)/setup.nano\"")?.message == "transcript: \(folder)/setup.nano: refusing to overwrite an input of this session")
        #expect(try String(contentsOfFile: folder + "/setup.nano", encoding: .utf8) == "y = 2\n")
        #expect(s.run("m = simulate natoms=13\nsave m \"/dev/null\"")?.message == "save: /dev/null: is a character device, not a regular file: nanoatoms writes only regular files")
        // A failed export creates no folder.
        #expect(s.run("export m \"\(folder)/new/m.pdb\"") != nil)
        #expect(!FileManager.default.fileExists(atPath: folder + "/new"))
        // Saving onto a loaded map through a link or a linked folder is refused.
        #expect(s.run("save m \"\(folder)/m.mrc\"\nn = load \"\(folder)/m.mrc\"") == nil)
        try FileManager.default.createSymbolicLink(atPath: folder + "/link.mrc", withDestinationPath: "m.mrc")
        try FileManager.default.createSymbolicLink(atPath: folder + "/dir", withDestinationPath: folder)
        for spelling in ["link.mrc", "dir/m.mrc", "./m.mrc"] {
            #expect(s.run("save m \"\(folder)/\(spelling)\"")?.message.hasSuffix("refusing to overwrite it") == true)
        }
    }

    @Test("figures and terminal views of columns holding nan and ±1e12 draw without trapping")
    func garbageColumns() throws {
        let folder = NSTemporaryDirectory() + "nano-rel-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var text = "x,y,z,cn,uiso\n"
        for i in 0..<40 { text += "\(Double(i % 4) * 2.7),\(Double(i / 4 % 4) * 2.7),\(Double(i / 16) * 2.7),\([12, -1e12, 1e12][i % 3]),\(i % 2 == 0 ? "nan" : "1e12")\n" }
        try writeAtomically(text, to: folder + "/g.csv")
        let s = Session()
        #expect(s.run("a = load \"\(folder)/g.csv\"") == nil)
        for plot in ["plot a kind=\"projection\" column=\"uiso\"", "plot a kind=\"projection\" column=\"cn\" \"\(folder)/p.svg\"",
                     "plot a kind=\"projection\" column=\"uiso\" \"\(folder)/q.svg\""] {
            let e = s.run(plot)
            #expect(e == nil || !e!.message.isEmpty)
        }
    }

    @Test("a model with a coordinate that is not a number is refused when loaded; a NaN U writes no ANISOU")
    func models() throws {
        let folder = NSTemporaryDirectory() + "nano-rel-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try writeAtomically("x,y,z\n1,2,3\n4,nan,6\n", to: folder + "/a.csv")
        let s = Session()
        #expect(s.run("a = load \"\(folder)/a.csv\"")?.message == "load: \(folder)/a.csv: line 3: x, y, z must be numbers within ±1e6 Å, not 4, nan, 6")
        try writeAtomically("x,y,z,u11,u22,u33,u12,u13,u23,aniso_valid\n1,2,3,nan,0.01,0.01,0,0,0,1\n", to: folder + "/b.csv")
        #expect(s.run("b = load \"\(folder)/b.csv\"\nexport b \"\(folder)/b.pdb\"") == nil)
        #expect(try String(contentsOfFile: folder + "/b.pdb", encoding: .utf8).contains("ATOM"))
        // Coordinates past what PDB's columns hold are refused for PDB, with the format that holds them.
        try writeAtomically("x,y,z\n10003.9587,2,3\n", to: folder + "/far.csv")
        #expect(s.run("f = load \"\(folder)/far.csv\"\nexport f \"\(folder)/far.pdb\"")?.message
                == "export: atom 1 lies at (10003.959, 2.000, 3.000) Å, outside the PDB format's -999.999 to 9999.999 Å: write mmCIF (.cif) or CSV instead (they hold any coordinate)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/far.pdb"))
    }
}

@Suite("Hostile input to the parser, checker and completion, in bulk")
struct MutationTests {
    /// Mutations of a real script: characters deleted, inserted (brackets, quotes, escapes,
    /// invisible characters, CR) and pieces repeated, from a fixed seed.
    static func mutants(count: Int, seed: UInt64) -> [String] {
        let base = """
            set element Pt
            map = simulate cuboctahedron natoms=55 snr=6 seed=3
            atoms = build map
            tab = stats atoms
            for f in [1, 2] { print f tab.median_cn (text "a" f) }
            fit = fitdepth tab cn | show
            export tab (path "out" "a.csv")
            """
        var rng = SeededGenerator(seed: seed)
        let pieces: [String] = ["(", ")", "[", "]", "{", "}", "|", "=", "\"", "\\", ";", ",", ".", "#", "\n", "\r", "\r\n", "-", "e", "1e400",
                                "\u{FEFF}", "\u{200B}", "\u{0}", "é", " ", "for", "set", "in", "true", "9e99", "-0"]
        return (0..<count).map { _ in
            var chars = Array(base)
            for _ in 0..<(1 + Int(rng.next() % 6)) {
                guard !chars.isEmpty else { break }
                let i = Int(rng.next() % UInt64(chars.count))
                switch rng.next() % 3 {
                case 0: chars.remove(at: i)
                case 1: chars.insert(contentsOf: pieces[Int(rng.next() % UInt64(pieces.count))], at: i)
                default:
                    let j = Int(rng.next() % UInt64(chars.count)), n = min(chars.count - j, 1 + Int(rng.next() % 30))
                    chars.insert(contentsOf: chars[j..<(j + n)], at: i)
                }
            }
            return String(chars)
        }
    }

    @Test("thousands of mutated scripts: the parser and checker answer each with nothing or one-line errors")
    func parserAndChecker() {
        for source in MutationTests.mutants(count: 3000, seed: 13) {
            for problem in Checker.check(source) {
                let lines = problem.report(file: "m.nano", source: source).split(separator: "\n", omittingEmptySubsequences: false)
                #expect(lines.count == 1 || (lines.count == 3 && lines[2].trimmingCharacters(in: .whitespaces) == "^"), "\(source)")
            }
        }
    }

    @Test("completion of every prefix of mutated lines never traps")
    func completion() {
        let interpreter = Interpreter()
        _ = try? interpreter.run("x = [1, 2]\nset element Pt")
        for source in MutationTests.mutants(count: 300, seed: 5) {
            let chars = Array(source)
            for cut in Swift.stride(from: 0, to: chars.count, by: 7) {
                let before = String(chars[..<cut])
                let word = String(before.reversed().prefix { $0.isLetter || $0 == "." || $0 == "_" }.reversed())
                _ = Completion.candidates(before: String(before.dropLast(word.count)), word: word, interpreter: interpreter)
            }
        }
    }
}
