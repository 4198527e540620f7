import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a
/// reader never sees half a file and a failed or interrupted write leaves the old file intact.
///
/// The data are not forced to disk (no fsync): outputs can be made again, and flushing each
/// of a run's dozen files cost more than writing them. New files get the usual permissions
/// (0666 less the umask).
public func writeAtomically(_ bytes: UnsafeRawBufferPointer, to path: String) throws {
    func failure(_ what: String) -> EngineError {
        EngineError("cannot write: \(what) (\(String(cString: strerror(errno))))", file: path)
    }
    // A name no other writer uses: this process, a counter, and a random suffix.
    let temporary = path + ".tmp-\(getpid())-\(AtomicFileCounter.next())-\(UInt32.random(in: 0...UInt32.max))"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    guard fd >= 0 else { throw failure("cannot create a file in its folder") }
    var written = 0
    while written < bytes.count {
        let n = write(fd, bytes.baseAddress! + written, bytes.count - written)
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else {
            let error = failure("writing failed")
            close(fd); unlink(temporary)
            throw error
        }
        written += n
    }
    guard close(fd) == 0 else {
        let error = failure("writing failed")
        unlink(temporary)
        throw error
    }
    guard rename(temporary, path) == 0 else {
        let error = failure("cannot replace the file")
        unlink(temporary)
        throw error
    }
}

/// Writes `bytes` to `path` atomically (see ``writeAtomically(_:to:)-(UnsafeRawBufferPointer,_)``).
public func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    try bytes.withUnsafeBytes { try writeAtomically($0, to: path) }
}

/// Writes `text` to `path` atomically as UTF-8.
public func writeAtomically(_ text: String, to path: String) throws {
    var text = text
    try text.withUTF8 { try writeAtomically(UnsafeRawBufferPointer($0), to: path) }
}

/// Numbers the temporary files of this process.
private enum AtomicFileCounter {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var value = 0
    static func next() -> Int {
        lock.lock(); defer { lock.unlock() }
        value += 1
        return value
    }
}
