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

@Suite("Output targets: links followed, special files and inputs refused, outputs distinct")
struct OutputTargetTests {
    @Test("a link is written through (the link stays); a FIFO or /dev/null is refused, not replaced")
    func links() throws {
        let folder = TestSupport.temporaryFolder()
        try writeAtomically("old", to: folder + "/target.txt")
        try FileManager.default.createSymbolicLink(atPath: folder + "/link.txt", withDestinationPath: "target.txt")
        try writeAtomically("new", to: folder + "/link.txt")
        #expect(try String(contentsOfFile: folder + "/target.txt", encoding: .utf8) == "new")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/link.txt") == "target.txt")
        #expect(mkfifo(folder + "/fifo", 0o600) == 0)
        #expect(throws: EngineError("is a FIFO, not a regular file: nanoatoms writes only regular files", file: folder + "/fifo")) {
            try writeAtomically("x", to: folder + "/fifo")
        }
        try FileManager.default.createSymbolicLink(atPath: folder + "/to-fifo", withDestinationPath: "fifo")
        #expect(throws: EngineError.self) { try writeAtomically("x", to: folder + "/to-fifo") }
        #expect(throws: EngineError("is a character device, not a regular file: nanoatoms writes only regular files", file: "/dev/null")) {
            try writeAtomically("x", to: "/dev/null")
        }
        var st = stat()
        #expect(stat("/dev/null", &st) == 0 && st.st_mode & S_IFMT == S_IFCHR)
        #expect(stat(folder + "/fifo", &st) == 0 && st.st_mode & S_IFMT == S_IFIFO)
    }

    @Test("two outputs of one command that are the same file are refused before either is written")
    func distinctOutputs() throws {
        let folder = TestSupport.temporaryFolder()
        #expect(throws: EngineError("is the same file as the output '\(folder)/x.mrc': give each output its own name", file: folder + "/./x.mrc")) {
            try writeAtomically(files: [(folder + "/x.mrc", [1]), (folder + "/./x.mrc", [2])])
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/x.mrc"))
    }

    @Test("temporary files of a process that is gone are swept on the next write; a live one's are kept")
    func sweep() throws {
        let folder = TestSupport.temporaryFolder()
        let gone = folder + "/map.mrc.tmp-\(Int32.max - 7)-1-42"        // no such process
        let mine = folder + "/map.mrc.tmp-\(getpid())-99-42"
        try writeAtomically("partial", to: gone)
        try writeAtomically("partial", to: mine)
        try writeAtomically("done", to: folder + "/map.mrc")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["map.mrc", "map.mrc.tmp-\(getpid())-99-42"])
    }
}
