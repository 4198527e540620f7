import Foundation
import Testing
@testable import NanoAtomsLanguage

/// A transcript replays: every script of Scripts/ and random sessions (with errors, help and
/// vars mixed in) are run, their transcripts replayed in a fresh session, and every variable
/// compared.
@Suite("Transcripts replay")
struct TranscriptTests {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Scripts")

    /// Each variable's summary, with `from` replaced by `to` (a replay writes elsewhere).
    func summaries(_ s: Session, replacing from: String = "", with to: String = "") -> [String: String] {
        s.interpreter.variables.mapValues { v in from.isEmpty ? v.summary : v.summary.replacingOccurrences(of: from, with: to) }
    }

    /// Runs `source`, replays its transcript, and compares the variables.
    func roundTrip(_ source: String, arguments: (String) -> [String], folders: (String, String)? = nil) throws {
        let first = Session(arguments: arguments(folders?.0 ?? ""))
        _ = first.run(source)
        let text = first.interpreter.transcript.joined(separator: "\n")
        #expect(!first.interpreter.transcript.contains { ["help", "explain", "vars"].contains($0.split(separator: " ").first.map(String.init) ?? "") })
        let replay = Session(arguments: arguments(folders?.1 ?? ""))
        let e = replay.run(text)
        #expect(e == nil, "the transcript does not replay: \(String(describing: e))\n\(text)")
        let a = summaries(first, replacing: folders?.0 ?? "", with: folders?.1 ?? ""), b = summaries(replay)
        #expect(a == b, "variables differ after replay")
    }

    @Test("every script in Scripts/ replays from its transcript to the same variables", arguments: ["tutorial.nano", "demo.nano", "batch.nano",
                                                                                                     "part1_part2.nano", "model_from_elsewhere.nano", "surface_and_core.nano"])
    func scripts(name: String) throws {
        let source = try String(contentsOf: TranscriptTests.scripts.appendingPathComponent(name), encoding: .utf8)
        let base = NSTemporaryDirectory() + "nano-tr-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        var model = ""
        if name == "model_from_elsewhere.nano" {
            model = base + "/model.pdb"
            let s = Session()
            #expect(s.run("set element Au\nexport (simulate cuboctahedron natoms=147 seed=2).truth \(model)") == nil)
        }
        try roundTrip(source, arguments: { folder in model.isEmpty ? (folder.isEmpty ? [] : [folder]) : [model] },
                      folders: (base + "/first", base + "/replay"))
    }

    @Test("random sessions: statements that fail, help, explain and vars are left out; the rest replays", arguments: 0..<12)
    func randomSessions(seed: Int) throws {
        var g = SplitMixRandom(seed: UInt64(seed + 1))
        let statements = [
            "x = %d", "y = x * %d + 1", "l = [x, %d, y]", "z = l[%d]", "w = l[0:%d]", "print x y",
            "help stats", "explain denoise", "vars", "help where",
            "if x > %d { k = 1 } else { k = 2 }", "for i in [1, 2, %d] { acc = i * 2 }",
            "def twice(n) { return n * 2 }", "t = twice %d", "q = undefined_%d + 1", "bad = [1, 2] + [%d]",
            "s = text \"a\" %d", "m = mean [x, %d]", "c = count ([1, 2, 3] > %d)",
            "tab.cn", "set echo false", "set echo true",
        ]
        var source: [String] = []
        for _ in 0..<30 {
            let s = statements[Int(g.next() % UInt64(statements.count))]
            source.append(s.replacingOccurrences(of: "%d", with: String(Int(g.next() % 5))))
        }
        // Run statement by statement, as the shell does, so that failures are left out.
        let first = Session()
        for s in source { _ = first.run(s) }
        let text = first.interpreter.transcript.joined(separator: "\n")
        for looked in ["help", "explain", "vars", "undefined_"] { #expect(!text.contains(looked)) }
        let replay = Session()
        #expect(replay.run(text) == nil, "\(text)")
        #expect(summaries(first) == summaries(replay))
    }

    @Test("a pipeline and a member are written whole; a definition keeps its help")
    func wholeStatements() {
        let s = Session()
        #expect(s.run("set element Pt\nm = simulate natoms=13 seed=1\nd = m | denoise\nm.nx\n# twice n\ndef twice(n) { return 2 * n }") == nil)
        #expect(s.interpreter.transcript == ["set element Pt", "m = simulate natoms=13 seed=1", "d = m | denoise", "m.nx",
                                             "# twice n\ndef twice(n) { return 2 * n }"])
        let replay = Session()
        #expect(replay.run(s.interpreter.transcript.joined(separator: "\n")) == nil)
        #expect(replay.run("help twice") == nil && replay.last == "twice n\n  twice n")
    }
}

/// A small seeded generator (SplitMix64): the random sessions are the same on every run.
struct SplitMixRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
