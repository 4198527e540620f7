import Foundation
import Testing
import NanoAtomsEngine

@Suite("Reading inputs: regular files only, and remembered")
struct InputFileTests {
    @Test("a FIFO, a device or a folder is refused at once, before a byte is read")
    func specialFiles() throws {
        let folder = TestSupport.temporaryFolder()
        let fifo = folder + "/pipe.mrc"
        #expect(mkfifo(fifo, 0o600) == 0)
        let start = Date()
        // Opening a FIFO with no writer would wait forever; it is refused instead.
        #expect(throws: EngineError("is a FIFO, not a regular file: give a map, model or script file", file: fifo)) {
            try MRCFormat.read(path: fifo)
        }
        #expect(Date().timeIntervalSince(start) < 2)
        #expect(throws: EngineError("is a character device, not a regular file: give a map, model or script file", file: "/dev/zero")) {
            try readInputText("/dev/zero")
        }
        #expect(throws: EngineError("is a folder, not a regular file: give a map, model or script file", file: folder)) {
            try readInputText(folder)
        }
        #expect(throws: EngineError("no such file", file: folder + "/missing.csv")) { try readInputText(folder + "/missing.csv") }
    }

    @Test("a file larger than its kind allows is refused before it is read")
    func sizeLimit() throws {
        let folder = TestSupport.temporaryFolder()
        try writeAtomically(String(repeating: "x", count: 5000), to: folder + "/big.csv")
        #expect(throws: EngineError("file too large: 5000 bytes, limit 4000 bytes for this kind of file", file: folder + "/big.csv")) {
            try readInputFile(folder + "/big.csv", limit: 4000)
        }
        #expect(try readInputFile(folder + "/big.csv", limit: 5000).count == 5000)
    }

    @Test("what was read is known by identity: another spelling, a link and a linked folder are the same file")
    func identity() throws {
        let folder = TestSupport.temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/real", withIntermediateDirectories: true)
        try writeAtomically("x,y,z\n1,2,3\n", to: folder + "/real/model.csv")
        try FileManager.default.createSymbolicLink(atPath: folder + "/linked", withDestinationPath: folder + "/real")
        try FileManager.default.createSymbolicLink(atPath: folder + "/link.csv", withDestinationPath: "real/model.csv")
        _ = try readInputText(folder + "/real/./model.csv")
        for spelling in [folder + "/real/model.csv", folder + "/linked/model.csv", folder + "/link.csv", folder + "/real/../real/model.csv"] {
            #expect(throws: EngineError.self) { try writeAtomically("overwritten", to: spelling) }
        }
        #expect(try String(contentsOfFile: folder + "/real/model.csv", encoding: .utf8) == "x,y,z\n1,2,3\n")
        // The link is still a link to the same file.
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/link.csv") == "real/model.csv")
    }

    @Test("an input moved away is still an input; a new file that takes a deleted input's inode is not")
    func identityOutlivesItsPath() throws {
        let folder = TestSupport.temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try writeAtomically("x,y,z\n1,2,3\n", to: folder + "/read.csv")
        _ = try readInputText(folder + "/read.csv")
        // Moved, not rewritten: the same file under another name is still protected.
        try FileManager.default.moveItem(atPath: folder + "/read.csv", toPath: folder + "/moved.csv")
        #expect(throws: EngineError.self) { try writeAtomically("overwritten", to: folder + "/moved.csv") }
        // Deleted: a file the file system gives the same inode is a new file, free to write.
        let old = try #require(FileIdentity(path: folder + "/moved.csv"))
        try FileManager.default.removeItem(atPath: folder + "/moved.csv")
        var reused: String? = nil
        for n in 0..<200 where reused == nil {
            let path = folder + "/new\(n).csv"
            FileManager.default.createFile(atPath: path, contents: Data("new \(n)\n".utf8))
            if FileIdentity(path: path) == old { reused = path }
        }
        if let path = reused {
            // The new file is read in turn: it is an input now, whatever its inode held before
            // (the stale entry must not make it look new; this failed in CI under parallel tests).
            _ = try readInputText(path)
            #expect(throws: EngineError.self) { try writeAtomically("overwritten", to: path) }
            #expect(InputFiles.input(at: path) == path)
        }
        // Never read: free to write even though its inode may once have been an input's.
        let fresh = folder + "/fresh.csv"
        try writeAtomically("written", to: fresh)
        #expect(try String(contentsOfFile: fresh, encoding: .utf8) == "written")
    }

    @Test("a file read after a deleted input left its inode is protected, whichever read came first")
    func staleEntryIsReplaced() throws {
        let folder = TestSupport.temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // Many inputs read and deleted, then many new files read: every new one is protected.
        for n in 0..<50 {
            try writeAtomically("old \(n)\n", to: folder + "/old\(n).txt")
            _ = try readInputText(folder + "/old\(n).txt")
            try FileManager.default.removeItem(atPath: folder + "/old\(n).txt")
        }
        for n in 0..<50 {
            let path = folder + "/new\(n).txt"
            try writeAtomically("new \(n)\n", to: path)
            _ = try readInputText(path)
            #expect(throws: EngineError.self) { try writeAtomically("overwritten", to: path) }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "new \(n)\n")
        }
    }
}
