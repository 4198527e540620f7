import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a run's outputs as one unit: the folder holds the previous complete set or the new
/// complete set, never a mixture and never half of one.
///
/// Every file is written into a staging folder beside the target; only when all are written
/// does the staging folder take the target's place, by an atomic exchange of the two names
/// (Linux's `renameat2` with `RENAME_EXCHANGE`) or, where that is missing, two renames. The old
/// set is then deleted. A run killed at any point leaves either set in place and a staging
/// folder that the next run's ``TemporaryFiles/sweep(_:)`` removes.
///
/// Because the folder is replaced whole, an existing folder must hold nothing but a previous
/// run's files (`allowed`): a folder with anything else in it (`--out .`, a home folder) is
/// refused, never swapped out. No input of this process may lie inside it.
package func writeRunFolder(_ directory: String, files: [(path: String, bytes: [UInt8])], allowed: Set<String>) throws {
    let target = try checkRunFolder(directory, allowed: allowed)
    let name = PathComponents.last(of: target)
    let folder = PathComponents.folder(of: target)
    let parent = folder.isEmpty ? "." : folder
    var st = stat()
    var made: [String] = []
    if stat(parent, &st) != 0 { made = try makeFolders(parent) }
    try stageAndCommit(directory, target: target, name: name, parent: parent, made: made, files: files)
}

/// Checks, before any work is done, that a run can write its outputs to the folder
/// `directory`: it is new, empty or holds only a previous run's files (`allowed`), and no input
/// of this process lies in it. Returns the folder with a link to it followed.
@discardableResult
package func checkRunFolder(_ directory: String, allowed: Set<String>) throws -> String {
    guard !directory.isEmpty else { throw EngineError("an output folder needs a name") }
    var target = directory
    while target.count > 1 && target.hasSuffix("/") { target.removeLast() }
    // Follow a link to a folder, so the link stays.
    var st = stat()
    if lstat(target, &st) == 0, st.st_mode & S_IFMT == S_IFLNK, let real = realpath(target, nil) {
        target = String(cString: real)
        free(real)
    }
    let name = PathComponents.last(of: target)
    guard name != "." && name != ".." && name != "/" else {
        throw EngineError("give the run a folder of its own (a run replaces its folder whole)", file: directory)
    }
    if stat(target, &st) == 0 {
        guard st.st_mode & S_IFMT == S_IFDIR else {
            throw EngineError("is \(fileKind(st.st_mode)), not a folder: give a folder for the run's outputs", file: directory)
        }
        try checkReplaceable(target, allowed: allowed, reportAs: directory)
    }
    return target
}

/// The remainder of ``writeRunFolder(_:files:allowed:)`` once the target is known.
private func stageAndCommit(_ directory: String, target: String, name: String, parent: String, made: [String],
                            files: [(path: String, bytes: [UInt8])]) throws {
    var st = stat()
    TemporaryFiles.sweep(parent)
    let stage = parent.appendingPath(".\(name)\(TemporaryFiles.stageMarker)\(TemporaryFiles.ownerTag)-\(TemporaryFiles.next())")
    do {
        guard mkdir(stage, 0o777) == 0 else {
            throw EngineError("cannot create the output folder (\(String(cString: strerror(errno))))", file: directory)
        }
        for f in files {
            let path = stage.appendingPath(f.path)
            let folder = PathComponents.folder(of: path)
            if stat(folder, &st) != 0 && mkdir(folder, 0o777) != 0 {
                throw EngineError("cannot create the folder \(PathComponents.folder(of: f.path)) (\(String(cString: strerror(errno))))", file: directory)
            }
            try f.bytes.withUnsafeBytes { try writeNewFile($0, at: path, reportAs: directory.appendingPath(f.path)) }
        }
        if stat(target, &st) != 0 {
            guard rename(stage, target) == 0 else {
                throw EngineError("cannot create the output folder (\(String(cString: strerror(errno))))", file: directory)
            }
        } else if exchangeNames(stage, target) {
            try? FileManager.default.removeItem(atPath: stage)     // the old set, now under the staging name
        } else {
            let old = parent.appendingPath(".\(name)\(TemporaryFiles.oldMarker)\(TemporaryFiles.ownerTag)-\(TemporaryFiles.next())")
            guard rename(target, old) == 0 else {
                throw EngineError("cannot replace the output folder (\(String(cString: strerror(errno))))", file: directory)
            }
            guard rename(stage, target) == 0 else {
                let reason = String(cString: strerror(errno))
                rename(old, target)
                throw EngineError("cannot replace the output folder (\(reason))", file: directory)
            }
            try? FileManager.default.removeItem(atPath: old)
        }
    } catch {
        try? FileManager.default.removeItem(atPath: stage)
        removeFolders(made)
        throw error
    }
}

/// Throws unless every entry of the existing folder `folder` is one a run writes (`allowed`,
/// with `plots/` holding only SVG files) or a temporary, and none is an input of this process.
func checkReplaceable(_ folder: String, allowed: Set<String>, reportAs name: String) throws {
    func entries(_ f: String) throws -> [String] {
        do { return try FileManager.default.contentsOfDirectory(atPath: f) }
        catch { throw EngineError("cannot read the output folder", file: name) }
    }
    func isTemporary(_ e: String) -> Bool { e.contains(TemporaryFiles.fileMarker) }
    for e in try entries(folder).sorted() where !isTemporary(e) {
        let path = folder.appendingPath(e)
        guard allowed.contains(e) else {
            throw EngineError("holds '\(e)', which a run does not write: a run replaces its folder whole, so give a new or empty folder", file: name)
        }
        var st = stat()
        guard lstat(path, &st) == 0 else { continue }
        if st.st_mode & S_IFMT == S_IFDIR {
            for inner in try entries(path) where !isTemporary(inner) {
                guard inner.hasSuffix(".svg") else {
                    throw EngineError("holds '\(e)/\(inner)', which a run does not write: give a new or empty folder", file: name)
                }
                if let input = InputFiles.input(at: path.appendingPath(inner)) {
                    throw EngineError("holds '\(e)/\(inner)', the input '\(input)': refusing to replace it", file: name)
                }
            }
        } else if let input = InputFiles.input(at: path) {
            throw EngineError("holds '\(e)', the input '\(input)': refusing to replace it", file: name)
        }
    }
}

/// Swaps the names `a` and `b` in one step (`renameat2(…, RENAME_EXCHANGE)`); false when the
/// system or file system cannot, so the caller falls back to two renames.
func exchangeNames(_ a: String, _ b: String) -> Bool {
    typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    // Glibc has renameat2 since 2.28, but Swift's Glibc module does not import it: look it
    // up (a null handle is glibc's RTLD_DEFAULT).
    guard let symbol = dlsym(nil, "renameat2") else { return false }
    let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
    let exchange: UInt32 = 1 << 1                                  // RENAME_EXCHANGE
    return renameat2(AT_FDCWD, a, AT_FDCWD, b, exchange) == 0
}
