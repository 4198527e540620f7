import CKernels
import Foundation

/// The SHA-256 digest of a file's bytes as `sha256:HEX` (the hex is what `sha256sum` prints):
/// what provenance records of every input, and what tells a study's changed input from the one
/// a task was run on. Read in pieces of 1 MB, so a map of gigabytes needs no copy.
public func fileChecksum(_ path: String) throws -> String {
    let (fd, size) = try openInputFile(path)
    defer { close(fd) }
    let pieceBytes = 1 << 20
    var buffer = [UInt8](repeating: 0, count: min(pieceBytes, max(size, 1)))
    var state = nanoatoms_sha256()
    nanoatoms_sha256_init(&state)
    var offset = 0
    while offset < size {
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, min($0.count, size - offset), off_t(offset)) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { throw EngineError("cannot read the file (it shrank while being read)", file: path) }
        buffer.withUnsafeBufferPointer { nanoatoms_sha256_update(&state, $0.baseAddress!, n) }
        offset += n
    }
    return "sha256:" + digestHex(&state)
}

/// The SHA-256 digest of `bytes`, as ``fileChecksum(_:)`` writes it.
public func checksum(of bytes: [UInt8]) -> String {
    var state = nanoatoms_sha256()
    nanoatoms_sha256_init(&state)
    bytes.withUnsafeBufferPointer { if let base = $0.baseAddress { nanoatoms_sha256_update(&state, base, $0.count) } }
    return "sha256:" + digestHex(&state)
}

private func digestHex(_ state: inout nanoatoms_sha256) -> String {
    var digest = [UInt8](repeating: 0, count: 32)
    digest.withUnsafeMutableBufferPointer { nanoatoms_sha256_final(&state, $0.baseAddress!) }
    let hex = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(64)
    for b in digest { out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 15)]) }
    return String(decoding: out, as: UTF8.self)
}
