import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file's identity: its device and inode. Two spellings of a path, a symbolic link and
/// its target, or a folder reached through a linked folder all have the same identity.
package struct FileIdentity: Hashable, Sendable {
    /// The device the file is on.
    package let device: UInt64
    /// Its inode on that device.
    package let inode: UInt64

    /// The identity of the file `path` names, following links; nil when there is none.
    package init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        self.init(st)
    }

    /// The identity of an open file.
    package init?(descriptor: Int32) {
        var st = stat()
        guard fstat(descriptor, &st) == 0 else { return nil }
        self.init(st)
    }

    init(_ st: stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }
}

/// The files this process has read as input: maps, models, the running script and every
/// sourced one. No output is ever written over one of them (``writeAtomically(_:to:createFolders:)``
/// and ``writeRunFolder(_:files:)`` check every target's identity against this list).
package enum InputFiles {
    /// An input as it was read: where, and its size and modification time, which tell it from
    /// a new file that reuses its inode after it was deleted.
    struct Entry {
        var path: String
        var size: Int64
        var modified: timespec
    }
    private static let lock = NSLock()
    nonisolated(unsafe) private static var files: [FileIdentity: Entry] = [:]

    /// Records the file open on `descriptor` (read as `path`) as an input.
    package static func register(descriptor: Int32, path: String) {
        var st = stat()
        guard fstat(descriptor, &st) == 0 else { return }
        record(st, path: path)
    }

    /// Records the file at `path` as an input.
    package static func register(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return }
        record(st, path: path)
    }

    /// The newest read wins: an older entry for this inode is either the same file (which the
    /// new path and state describe as well) or a deleted file whose inode was reused, whose
    /// stale path and state would otherwise make this input look like a new file.
    private static func record(_ st: stat, path: String) {
        lock.lock(); defer { lock.unlock() }
        files[FileIdentity(st)] = Entry(path: path, size: Int64(st.st_size), modified: st.st_mtim)
    }

    /// The path under which the file at `path` (links followed) was read as an input, if it is one.
    package static func input(at path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return input(st)
    }

    /// The path under which the file `st` describes was read as an input, if it is one: the same
    /// device and inode, and either the path it was read under still names it or it is unchanged
    /// (moved, not rewritten). An input that was deleted lets its inode go to a new file, which
    /// is no input: that entry is dropped.
    package static func input(_ st: stat) -> String? {
        let id = FileIdentity(st)
        lock.lock(); defer { lock.unlock() }
        guard let e = files[id] else { return nil }
        if FileIdentity(path: e.path) == id { return e.path }
        if e.size == Int64(st.st_size) && e.modified.tv_sec == st.st_mtim.tv_sec && e.modified.tv_nsec == st.st_mtim.tv_nsec { return e.path }
        files[id] = nil
        return nil
    }
}

/// What kind of thing a `stat` mode describes, for messages: "a folder", "a FIFO".
func fileKind(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFDIR: return "a folder"
    case S_IFIFO: return "a FIFO"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    case S_IFSOCK: return "a socket"
    case S_IFLNK: return "a symbolic link"
    default: return "a regular file"
    }
}

/// Opens `path` for reading, refusing anything but a regular file before reading a byte.
///
/// FIFOs, devices and folders are refused: reading `/dev/zero` never ends, and opening a FIFO
/// waits for a writer forever (the open does not block here, and the check comes before any
/// read). The file is recorded in ``InputFiles``. Returns the descriptor and the file's size.
package func openInputFile(_ path: String) throws -> (descriptor: Int32, size: Int) {
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else {
        let reason = errno
        switch reason {
        case ENOENT: throw EngineError("no such file", file: path)
        case EACCES: throw EngineError("cannot read the file: permission denied", file: path)
        case ENOTDIR: throw EngineError("no such file (a part of the path is not a folder)", file: path)
        default: throw EngineError("cannot read the file (\(String(cString: strerror(reason))))", file: path)
        }
    }
    var st = stat()
    guard fstat(fd, &st) == 0 else { close(fd); throw EngineError("cannot read the file", file: path) }
    guard st.st_mode & S_IFMT == S_IFREG else {
        close(fd)
        throw EngineError("is \(fileKind(st.st_mode)), not a regular file: give a map, model or script file", file: path)
    }
    // Regular files never block; clear the flag so reads behave as usual.
    _ = fcntl(fd, F_SETFL, 0)
    InputFiles.register(descriptor: fd, path: path)
    return (fd, Int(st.st_size))
}

/// The bytes of the regular file `path`, at most `limit` of them (a larger file is refused
/// before anything is read). The file is recorded in ``InputFiles``.
package func readInputFile(_ path: String, limit: Int) throws -> [UInt8] {
    let (fd, size) = try openInputFile(path)
    defer { close(fd) }
    guard size <= limit else {
        throw EngineError("file too large: \(Limits.gigabytes(Double(size))), limit \(Limits.gigabytes(Double(limit))) for this kind of file", file: path)
    }
    var bytes = [UInt8](repeating: 0, count: size)
    var filled = 0
    while filled < size {
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + filled, size - filled, off_t(filled)) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { throw EngineError("cannot read the file (it shrank while being read)", file: path) }
        filled += n
    }
    return bytes
}

/// The text of the regular file `path` (UTF-8; invalid bytes become U+FFFD), at most `limit`
/// bytes. The file is recorded in ``InputFiles``.
package func readInputText(_ path: String, limit: Int = Limits.textFileBytes) throws -> String {
    String(decoding: try readInputFile(path, limit: limit), as: UTF8.self)
}
