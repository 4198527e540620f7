import Foundation
import Testing
import NanoAtomsEngine

@Suite("A run's outputs are one unit")
struct OutputFolderTests {
    let allowed: Set<String> = ["model.pdb", "summary.json", "plots"]

    func contents(_ folder: String) -> [String] {
        (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).sorted()
    }

    @Test("a new folder gets every file; a second run replaces the first whole")
    func replaceWhole() throws {
        let parent = TestSupport.temporaryFolder()
        let out = parent + "/run"
        try writeRunFolder(out, files: [("model.pdb", Array("one".utf8)), ("plots/a.svg", [1]), ("plots/b.svg", [2])], allowed: allowed)
        #expect(contents(out) == ["model.pdb", "plots", "plots/a.svg", "plots/b.svg"])
        try writeRunFolder(out, files: [("model.pdb", Array("two".utf8)), ("plots/a.svg", [3])], allowed: allowed)
        // No figure of the first run survives beside the second's.
        #expect(contents(out) == ["model.pdb", "plots", "plots/a.svg"])
        #expect(try String(contentsOfFile: out + "/model.pdb", encoding: .utf8) == "two")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent) == ["run"])
    }

    @Test("a failure at any file leaves the previous set as it was, and no staging folder")
    func failureKeepsOldSet() throws {
        let parent = TestSupport.temporaryFolder()
        let out = parent + "/run"
        try writeRunFolder(out, files: [("model.pdb", Array("one".utf8)), ("plots/a.svg", [1])], allowed: allowed)
        // The third file cannot be made (its folder would be the file model.pdb).
        #expect(throws: EngineError.self) {
            try writeRunFolder(out, files: [("model.pdb", Array("two".utf8)), ("plots/a.svg", [2]), ("model.pdb/x", [3])], allowed: allowed)
        }
        #expect(contents(out) == ["model.pdb", "plots", "plots/a.svg"])
        #expect(try String(contentsOfFile: out + "/model.pdb", encoding: .utf8) == "one")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent) == ["run"])
        // A failed first run creates nothing at all, not even the folders above it.
        #expect(throws: EngineError.self) {
            try writeRunFolder(parent + "/new/deep/run", files: [("model.pdb", [1]), ("model.pdb/x", [3])], allowed: allowed)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent) == ["run"])
    }

    @Test("a folder holding anything a run does not write, or an input, is refused, never swapped out")
    func foreignFolder() throws {
        let parent = TestSupport.temporaryFolder()
        try writeAtomically("notes", to: parent + "/home/notes.txt")
        #expect(throws: EngineError("holds 'notes.txt', which a run does not write: a run replaces its folder whole, so give a new or empty folder", file: parent + "/home")) {
            try writeRunFolder(parent + "/home", files: [("model.pdb", [1])], allowed: allowed)
        }
        #expect(throws: EngineError("give the run a folder of its own (a run replaces its folder whole)", file: ".")) {
            try checkRunFolder(".", allowed: allowed)
        }
        #expect(try String(contentsOfFile: parent + "/home/notes.txt", encoding: .utf8) == "notes")
        // A run's own earlier file that is now an input (a model read back in) stays.
        try writeRunFolder(parent + "/run", files: [("model.pdb", Array("x".utf8))], allowed: allowed)
        _ = try readInputText(parent + "/run/model.pdb")
        #expect(throws: EngineError("holds 'model.pdb', the input '\(parent)/run/model.pdb': refusing to replace it", file: parent + "/run")) {
            try writeRunFolder(parent + "/run", files: [("model.pdb", [1])], allowed: allowed)
        }
    }

    @Test("a run killed mid-way leaves a staging folder that the next run sweeps away")
    func sweepStaging() throws {
        let parent = TestSupport.temporaryFolder()
        let stale = parent + "/.run.nanoatoms-stage-\(Int32.max - 7)-3"
        try writeAtomically("half", to: stale + "/model.pdb")
        try writeRunFolder(parent + "/run", files: [("model.pdb", [1])], allowed: allowed)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent) == ["run"])
    }
}
