import Foundation
import Testing
@testable import NanoAtomsLanguage
import NanoAtomsEngine

@Suite("study in the language: the same runner and results as nanoatoms study")
struct StudyCommandTests {
    @Test("a study of two particles: part1/part2 compared, results written, a bad file changes nothing")
    func study() throws {
        let folder = NSTemporaryDirectory() + "nanoatoms-study-lang-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let s = Session()
        // Two simulated maps written from the language; part2 is the same map, so every atom is common.
        #expect(s.run("set element Pt\nm1 = simulate cuboctahedron natoms=147 snr=12 seed=1\nexport m1 \"\(folder)/a.mrc\"\nm2 = simulate cuboctahedron natoms=147 snr=12 seed=2\nexport m2 \"\(folder)/b.mrc\"") == nil)
        try "[[particle]]\nname = \"A\"\npart1 = \"a.mrc\"\npart2 = \"a.mrc\"\n[[particle]]\nname = \"B\"\nmerged = \"b.mrc\"\n"
            .write(toFile: folder + "/s.toml", atomically: true, encoding: .utf8)
        #expect(s.run("r = study \"\(folder)/s.toml\" out=\"\(folder)/out\" jobs=2") == nil)
        #expect(s.run("print r.done r.failed") == nil && s.last == "3 0")
        guard case .record(let r)? = s.interpreter.variables["r"],
              case .comparison(let c)? = r.fields.first(where: { $0.0 == "compare_A" })?.1 else { Issue.record("no comparison"); return }
        #expect(c.common.count == c.firstCount && c.lost.isEmpty && c.gained.isEmpty && c.firstCount > 140)
        #expect(FileManager.default.fileExists(atPath: folder + "/out/results/report.html"))
        // A study file with a mistake: one error naming its line, and r stays as it was.
        try "[[particle]]\nname = \"A\"\nmergd = \"a.mrc\"\n".write(toFile: folder + "/bad.toml", atomically: true, encoding: .utf8)
        let e = s.run("r = study \"\(folder)/bad.toml\"")
        #expect(e?.message.contains("bad.toml: 3:1: 'mergd' is not a key in [[particle]]") == true, "\(String(describing: e?.message))")
        #expect(s.run("print r.done") == nil && s.last == "3")
        #expect(!FileManager.default.fileExists(atPath: folder + "/bad-study"))
    }
}
