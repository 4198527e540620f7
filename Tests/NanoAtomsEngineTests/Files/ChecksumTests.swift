import CKernels
import Foundation
import Testing
@testable import NanoAtomsEngine

/// The checksum provenance records is SHA-256 exactly as FIPS 180-4 defines it (and
/// `sha256sum` prints), for every length around the padding boundary.
@Suite("SHA-256 of inputs")
struct ChecksumTests {
    @Test("the FIPS 180-4 examples: empty, 'abc' and the 448-bit message")
    func knownDigests() {
        #expect(checksum(of: []) == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(checksum(of: Array("abc".utf8)) == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(checksum(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(checksum(of: [UInt8](repeating: 0x61, count: 1_000_000))
                == "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("the CPU's SHA extensions, where it has them, give the portable loop's digest for every length")
    func hardwareMatchesPortable() {
        let available = nanoatoms_sha256_hardware(1) == 1
        defer { _ = nanoatoms_sha256_hardware(1) }
        var lengths = Array(0...200) + [1 << 16, 1_000_003]
        if !available { lengths = [0, 64, 1000] }
        for n in lengths {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
            _ = nanoatoms_sha256_hardware(1)
            let fast = checksum(of: bytes)
            _ = nanoatoms_sha256_hardware(0)
            #expect(fast == checksum(of: bytes), "length \(n)")
        }
    }

    @Test("a file read in pieces gives the digest of its bytes, at every length near a block edge")
    func fileInPieces() throws {
        let path = NSTemporaryDirectory() + "nanoatoms-sha-\(getpid())"
        defer { unlink(path) }
        for n in [0, 1, 55, 56, 63, 64, 65, 119, 120, 1 << 20, (1 << 20) + 3] {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(try fileChecksum(path) == checksum(of: bytes), "length \(n)")
        }
        // Against a second implementation: Python's hashlib, when python3 is on the machine.
        let bytes = (0..<70_001).map { UInt8(truncatingIfNeeded: $0 &* 131) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest())", path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        if (try? p.run()) != nil {
            p.waitUntilExit()
            let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if p.terminationStatus == 0 { #expect(try fileChecksum(path) == "sha256:" + out) }
        }
    }
}
