import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where an output really goes, checked before anything is written.
///
/// A path that is a symbolic link is followed to its target, so the link stays a link. The
/// target must be a regular file or absent: `/dev/null`, a FIFO or a folder is refused rather
/// than replaced. It must not be a file this process read (``InputFiles``), compared by
/// identity, so neither another spelling, a link nor a linked folder gets past.
struct OutputTarget {
    /// The path to write (links followed).
    let path: String
    /// Its folder, and whether that folder exists yet.
    let folder: String
    let folderExists: Bool

    /// Resolves and checks `path`.
    init(_ path: String) throws {
        guard !path.isEmpty else { throw EngineError("an output needs a file name") }
        var target = path
        var hops = 0
        while true {
            var st = stat()
            if lstat(target, &st) != 0 {
                guard errno == ENOENT || errno == ENOTDIR else {
                    throw EngineError("cannot write: \(String(cString: strerror(errno)))", file: path)
                }
                break                                   // a new file
            }
            if st.st_mode & S_IFMT == S_IFLNK {
                hops += 1
                guard hops <= 32 else { throw EngineError("cannot write: too many symbolic links", file: path) }
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let n = readlink(target, &buffer, buffer.count - 1)
                guard n > 0 else { throw EngineError("cannot write: an unreadable symbolic link", file: path) }
                let destination = String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
                target = destination.hasPrefix("/") ? destination : PathComponents.folder(of: target).appendingPath(destination)
                continue
            }
            guard st.st_mode & S_IFMT == S_IFREG else {
                throw EngineError("is \(fileKind(st.st_mode)), not a regular file: nanoatoms writes only regular files", file: path)
            }
            if let input = InputFiles.input(st) {
                throw EngineError(input == path ? "refusing to overwrite an input of this session"
                                                : "is the same file as the input '\(input)': refusing to overwrite it", file: path)
            }
            break
        }
        self.path = target
        let folder = PathComponents.folder(of: target)
        self.folder = folder.isEmpty ? "." : folder
        var st = stat()
        if stat(self.folder, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFDIR else {
                throw EngineError("cannot write: '\(self.folder)' is \(fileKind(st.st_mode)), not a folder", file: path)
            }
            folderExists = true
        } else {
            folderExists = false
        }
    }

    /// The folder and the file name with every link in the folder resolved, for telling
    /// whether two outputs not yet written are the same file.
    var canonical: String {
        let name = PathComponents.last(of: path)
        guard folderExists, let real = realpath(folder, nil) else { return URL(fileURLWithPath: path).standardizedFileURL.path }
        defer { free(real) }
        return String(cString: real).appendingPath(name)
    }
}

extension String {
    /// `self/component`.
    func appendingPath(_ component: String) -> String {
        isEmpty || self == "." ? component : (hasSuffix("/") ? self + component : self + "/" + component)
    }
}

/// Makes `folder` and any missing folders above it; returns those it made, outermost first,
/// so a failure can take them away again.
func makeFolders(_ folder: String) throws -> [String] {
    var missing: [String] = []
    var f = folder
    var st = stat()
    while !f.isEmpty, f != "/", f != ".", stat(f, &st) != 0 {
        missing.append(f)
        f = PathComponents.folder(of: f)
    }
    var made: [String] = []
    for m in missing.reversed() {
        guard mkdir(m, 0o777) == 0 || errno == EEXIST else {
            let reason = String(cString: strerror(errno))
            removeFolders(made)
            throw EngineError("cannot create the folder (\(reason))", file: m)
        }
        made.append(m)
    }
    return made
}

/// Removes folders made by ``makeFolders(_:)`` (innermost first), if they are still empty.
func removeFolders(_ made: [String]) {
    for m in made.reversed() { rmdir(m) }
}

/// A temporary name beside `path` that no other writer uses: this process, a counter and a
/// random suffix. ``TemporaryFiles/sweep(_:)`` knows the pattern and removes those left by a
/// process that is gone.
func temporaryName(for path: String) -> String {
    path + "\(TemporaryFiles.fileMarker)\(TemporaryFiles.ownerTag)-\(TemporaryFiles.next())-\(UInt32.random(in: 0...UInt32.max))"
}

/// Writes `bytes` to a new file at `path` (which must not exist), looping over short writes.
func writeNewFile(_ bytes: UnsafeRawBufferPointer, at path: String, reportAs name: String) throws {
    func failure(_ what: String) -> EngineError {
        EngineError("cannot write: \(what) (\(String(cString: strerror(errno))))", file: name)
    }
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    guard fd >= 0 else { throw failure("cannot create a file in its folder") }
    var written = 0
    while written < bytes.count {
        let n = write(fd, bytes.baseAddress! + written, bytes.count - written)
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else {
            let error = failure("writing failed")
            close(fd); unlink(path)
            throw error
        }
        written += n
    }
    guard close(fd) == 0 else {
        let error = failure("writing failed")
        unlink(path)
        throw error
    }
}

/// Checks, before any work is done, that outputs can be written to `paths`: each is a regular
/// file or new, none is an input of this process, and no two are the same file.
package func checkOutputs(_ paths: [String]) throws {
    _ = try outputTargets(paths)
}

/// The checked targets of `paths` (see ``checkOutputs(_:)``).
func outputTargets(_ paths: [String]) throws -> [OutputTarget] {
    let targets = try paths.map { try OutputTarget($0) }
    var seen: [String: String] = [:]
    for (t, p) in zip(targets, paths) {
        if let other = seen[t.canonical] {
            throw EngineError("is the same file as the output '\(other)': give each output its own name", file: p)
        }
        seen[t.canonical] = p
    }
    return targets
}

/// Writes several files as one: every target is checked (``OutputTarget``) and must differ
/// from the others, every file is written to a temporary beside its target, and only when all
/// are written are they renamed into place. A failure leaves every target as it was and
/// removes the temporaries and any folder it made.
///
/// The data are not forced to disk (no fsync): outputs can be made again, and flushing each
/// of a run's dozen files cost more than writing them. New files get the usual permissions
/// (0666 less the umask). Missing folders are made when `createFolders` is true.
package func writeAtomically(files: [(path: String, bytes: [UInt8])], createFolders: Bool = true) throws {
    let targets = try outputTargets(files.map(\.path))
    var made: [String] = []
    var temporaries: [String] = []
    do {
        for (t, f) in zip(targets, files) {
            if !t.folderExists {
                guard createFolders else { throw EngineError("cannot write: the folder '\(t.folder)' does not exist", file: f.path) }
                made += try makeFolders(t.folder)
            }
            TemporaryFiles.sweep(t.folder)
            let temporary = temporaryName(for: t.path)
            try f.bytes.withUnsafeBytes { try writeNewFile($0, at: temporary, reportAs: f.path) }
            temporaries.append(temporary)
        }
        for (i, (t, f)) in zip(targets, files).enumerated() {
            guard rename(temporaries[i], t.path) == 0 else {
                throw EngineError("cannot write: cannot replace the file (\(String(cString: strerror(errno))))", file: f.path)
            }
            temporaries[i] = ""
        }
    } catch {
        for t in temporaries where !t.isEmpty { unlink(t) }
        removeFolders(made)
        throw error
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a
/// reader never sees half a file and a failed or interrupted write leaves the old file intact
/// (see ``writeAtomically(files:createFolders:)`` for the checks made first).
package func writeAtomically(_ bytes: [UInt8], to path: String, createFolders: Bool = true) throws {
    try writeAtomically(files: [(path, bytes)], createFolders: createFolders)
}

/// Writes `text` to `path` atomically as UTF-8.
package func writeAtomically(_ text: String, to path: String, createFolders: Bool = true) throws {
    try writeAtomically(Array(text.utf8), to: path, createFolders: createFolders)
}

/// Temporary files and folders: their names, and the sweep that removes those a killed
/// process left behind.
package enum TemporaryFiles {
    /// What a temporary file's name carries after its target's name: `.tmp-PID-N-R`.
    static let fileMarker = ".tmp-"
    /// What a run's staging folder's name carries: `.NAME.nanoatoms-stage-PID-N`.
    static let stageMarker = ".nanoatoms-stage-"
    /// What the previous run's folder is called while it is being replaced: `.NAME.nanoatoms-old-PID-N`.
    static let oldMarker = ".nanoatoms-old-"

    private static let lock = NSLock()
    nonisolated(unsafe) private static var counter = 0

    /// The next number for a temporary name in this process.
    static func next() -> Int {
        lock.lock(); defer { lock.unlock() }
        counter += 1
        return counter
    }

    /// This process in a temporary name: `PID@HOST`. The host keeps one machine of a cluster
    /// from sweeping away the live temporaries of a process on another machine that writes
    /// into the same shared folder (a study's tasks under SLURM), whose process id means
    /// nothing here.
    static let ownerTag: String = "\(getpid())@\(hostName)"

    /// This machine's name, kept to letters, digits, `.` and `_`.
    static let hostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "host" }
        let name = String(cString: buffer).unicodeScalars.filter { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "." || $0 == "_") }
        return name.isEmpty ? "host" : String(String.UnicodeScalarView(name))
    }()

    /// The process in a temporary name after `marker`, if the name has one: its id and, for
    /// names written since hosts were recorded, its host.
    static func owner(_ name: String, marker: String) -> (pid: Int32, host: String?)? {
        guard let r = name.range(of: marker, options: .backwards) else { return nil }
        let rest = name[r.upperBound...]
        guard let pid = Int32(rest.prefix { $0.isNumber }) else { return nil }
        let afterPid = rest.drop { $0.isNumber }
        let host = afterPid.hasPrefix("@") ? String(afterPid.dropFirst().prefix { $0 != "-" }) : nil
        return (pid, host)
    }

    /// Whether the process that wrote a temporary is gone (so its temporaries are litter): one
    /// of this machine that no longer runs. Another machine's are never judged from here.
    static func isGone(_ owner: (pid: Int32, host: String?)) -> Bool {
        if let h = owner.host, h != hostName { return false }
        return owner.pid != getpid() && kill(owner.pid, 0) != 0 && errno == ESRCH
    }

    /// Removes, from `folder`, temporary files and staging folders whose process is gone; a
    /// previous run's folder left mid-replacement is put back if its replacement never came.
    package static func sweep(_ folder: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names {
            let path = folder.appendingPath(name)
            if let pid = owner(name, marker: fileMarker), isGone(pid) {
                var st = stat()
                if lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG { unlink(path) }
            } else if name.hasPrefix("."), let pid = owner(name, marker: stageMarker), isGone(pid) {
                try? FileManager.default.removeItem(atPath: path)
            } else if name.hasPrefix("."), let pid = owner(name, marker: oldMarker), isGone(pid),
                      let r = name.range(of: oldMarker) {
                let target = folder.appendingPath(String(name[name.index(after: name.startIndex)..<r.lowerBound]))
                if FileManager.default.fileExists(atPath: target) { try? FileManager.default.removeItem(atPath: path) }
                else { rename(path, target) }
            }
        }
    }
}
