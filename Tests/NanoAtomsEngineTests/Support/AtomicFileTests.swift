import Foundation
import Testing
import NanoAtomsEngine

@Suite("Writing files atomically")
struct AtomicFileTests {
    @Test("a write creates or replaces the file whole and leaves no temporary file behind")
    func replaces() throws {
        let folder = TestSupport.temporaryFolder()
        let path = folder + "/out.txt"
        try writeAtomically("first version\n", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "first version\n")
        let long = String(repeating: "ÅÅ 0123456789\n", count: 50_000)   // not ASCII, > 1 MB
        try writeAtomically(long, to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == long)
        try writeAtomically([0, 255, 7], to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data([0, 255, 7]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["out.txt"])
    }

    @Test("a failed write names the file, and leaves what was there and no temporary file")
    func failures() throws {
        let folder = TestSupport.temporaryFolder()
        #expect(throws: EngineError("cannot write: the folder '\(folder)/missing' does not exist", file: folder + "/missing/out.txt")) {
            try writeAtomically("x", to: folder + "/missing/out.txt", createFolders: false)
        }
        // A folder where the file should go is refused before anything is written.
        try FileManager.default.createDirectory(atPath: folder + "/taken/inner", withIntermediateDirectories: true)
        #expect(throws: EngineError("is a folder, not a regular file: nanoatoms writes only regular files", file: folder + "/taken")) {
            try writeAtomically("x", to: folder + "/taken")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["taken"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/taken") == ["inner"])
        // Missing folders are made for a write that succeeds, and taken away when it fails.
        try writeAtomically("x", to: folder + "/made/deeper/out.txt")
        #expect(try String(contentsOfFile: folder + "/made/deeper/out.txt", encoding: .utf8) == "x")
        #expect(throws: EngineError.self) {
            try writeAtomically(files: [(folder + "/new/a.txt", [1]), (folder + "/taken", [2])])
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/new"))
    }
}
