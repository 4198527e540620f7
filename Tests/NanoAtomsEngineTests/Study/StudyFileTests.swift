import Foundation
import Testing
import NanoAtomsEngine

@Suite("A study file names particles, series and their options; a mistake names its line and column")
struct StudyFileTests {
    func plan(_ text: String) throws -> StudyPlan { try StudyPlan.parse(text, file: "/data/study/s.toml", name: "s.toml") }

    /// The message of the error `text` raises.
    func problem(_ text: String) -> String {
        do { _ = try plan(text); return "" } catch { return "\(error)" }
    }

    @Test("particles and series become tasks in order, with paths from the file's folder and options inherited")
    func tasks() throws {
        let p = try plan("""
            title = "Pt in liquid"   # a comment
            element = "Pt"
            refine = true
            [[particle]]
            name = "NP1"
            merged = "maps/np1.mrc"
            part1 = '/abs/np1 part1.mrc'
            part2 = "../np1_part2.mrc"
            [[particle]]
            name = "NP2"
            merged = "np2.mrc"
            element = "Au"
            cn_min = "off"
            [[series]]
            name = "growth"
            stages = [
                "t1.mrc",  # first
                "t2.pdb",
            ]
            mask_diameter = 40
            """)
        #expect(p.title == "Pt in liquid")
        #expect(p.tasks.map(\.name) == ["NP1/merged", "NP1/part1", "NP1/part2", "NP2/merged", "growth/stage1", "growth/stage2"])
        #expect(p.tasks.map(\.index) == Array(0..<6))
        #expect(p.tasks[0].input == "/data/study/maps/np1.mrc")
        #expect(p.tasks[1].input == "/abs/np1 part1.mrc")
        #expect(p.tasks[2].input == "/data/np1_part2.mrc")
        #expect(p.tasks[5].isModel && !p.tasks[4].isModel)
        #expect(p.tasks.allSatisfy { $0.options.refine })
        #expect(p.tasks[3].options.element?.symbol == "Au" && p.tasks[0].options.element?.symbol == "Pt")
        #expect(p.tasks[3].options.buildingOptions(threads: 1).minimumCoordination == nil)
        #expect(p.tasks[0].options.buildingOptions(threads: 1).minimumCoordination == 3)
        #expect(p.tasks[4].options.maskDiameter == 40 && p.tasks[0].options.maskDiameter == nil)
        #expect(p.particles.map(\.name) == ["NP1", "NP2"] && p.particles[1].tasks == [.merged: 3])
        #expect(p.series.first?.stages == [4, 5])
        // A changed option changes the fingerprint that decides whether a task runs again.
        #expect(p.tasks[0].options.fingerprint != p.tasks[3].options.fingerprint)
        #expect(p.tasks[0].options.fingerprint == p.tasks[1].options.fingerprint)
    }

    @Test("each mistake is one line naming the file, the line and the column, and what is allowed", arguments: [
        ("[[particle]]\nname = \"a\"\nmergd = \"x.mrc\"", "s.toml: 3:1: 'mergd' is not a key in [[particle]]"),
        ("[[particle]]\nname = \"a\"\nmerged = \"x.mrc\"\nmerged = \"y.mrc\"", "s.toml: 4:1: 'merged' is given twice (first on line 3)"),
        ("element = \"Xx\"\n[[particle]]\nname = \"a\"\nmerged = \"x.mrc\"", "s.toml: 1:1: element takes one of"),
        ("refine = yes", "s.toml: 1:10: 'yes' is not a value"),
        ("title = \"open", "s.toml: 1:14: the string is not closed"),
        ("[[particle]]\nname = \"a\"\nmerged = \"x.mrc\"\n[[particle]]\nname = \"a\"\nmerged = \"y.mrc\"", "s.toml: 5:1: the name 'a' is used twice (first on line 2)"),
        ("[[series]]\nname = \"s\"\nstages = [\"a.mrc\"]", "s.toml: 3:1: a series needs at least two stages"),
        ("[[particle]]\nname = \"../x\"\nmerged = \"a.mrc\"", "s.toml: 2:1: '../x' cannot name a folder"),
        ("[[particle]]\nname = \"a\"", "s.toml: 2:1: particle 'a' names no map"),
        ("title = \"t\"", "s.toml: the study names no maps"),
        ("[[particle]]\nname = \"a\"\nmerged = \"x.mrc\"\ncn_min = 2.5", "s.toml: 4:1: cn_min takes a whole number"),
        ("[[particle]]\nname = \"a\"\nmerged = \"x.mrc\"\nmask_diameter = 1e9", "s.toml: 4:1: mask_diameter takes a number from 2 to 10000"),
        ("[table]\n", "s.toml: 1:1: a header is [[particle]] or [[series]]"),
        ("[[sample]]\nname = \"a\"", "s.toml: 1:1: [[sample]] is not a part of a study"),
        ("[[particle]]\nname = \"a\"\nmerged = \"x.pdb\"", "s.toml: 3:1: merged is a map (.mrc)"),
        ("stages = [[[[[\"a\"]]]]]", "s.toml: 1:14: lists nested more than 4 deep"),
    ])
    func mistakes(text: String, expected: String) {
        let message = problem(text)
        #expect(message.hasPrefix(expected), "\(message)")
        #expect(!message.contains("\n"))
    }

    @Test("thousands of mangled study files: each is read or refused with one line, never a crash")
    func mangled() {
        let valid = Array("""
            title = "t"   # c
            element = "Pt"
            cn_min = "off"
            [[particle]]
            name = "NP1"
            merged = "a.mrc"
            part2 = 'b.mrc'
            [[series]]
            name = "s"
            stages = ["x.pdb", "y.mrc",
              "z.csv"]
            """.utf8)
        let alphabet = Array("[]=\"'#,\n\\ .-_0123456789eE+aZ\t\r".utf8) + [0, 0xC3, 0xA9, 0xFF]
        var rng = SeededGenerator(seed: 11)
        var read = 0, refused = 0
        for _ in 0..<3000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let k = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[k] = alphabet.randomElement(using: &rng)!
                case 1: bytes.insert(alphabet.randomElement(using: &rng)!, at: k)
                default: if bytes.count > 1 { bytes.remove(at: k) }
                }
            }
            do {
                _ = try StudyPlan.parse(String(decoding: bytes, as: UTF8.self), file: "/d/s.toml", name: "s.toml")
                read += 1
            } catch {
                refused += 1
                let m = "\(error)"
                #expect(m.hasPrefix("s.toml: ") && !m.contains("\n"), "\(m)")
            }
        }
        #expect(read > 100 && refused > 1000)
    }
}
