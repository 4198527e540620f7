import Foundation
import NanoAtomsEngine

/// Shared helpers for the engine's tests.
enum TestSupport {
    static let platinum = Element.named("Pt")!

    /// A fresh, empty temporary folder.
    static func temporaryFolder() -> String {
        let path = NSTemporaryDirectory() + "nanoatoms-tests-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A small map with distinct, position-dependent integer values.
    static func rampVolume(nx: Int = 5, ny: Int = 4, nz: Int = 3, voxelSize: Double = 0.5) -> Volume {
        var v = Volume(nx: nx, ny: ny, nz: nz, voxelSize: voxelSize, origin: Vector3(1.5, -2, 0.25))
        for k in 0..<nz { for j in 0..<ny { for i in 0..<nx { v[i, j, k] = Float(i + 10 * j + 100 * k - 50) } } }
        return v
    }

    /// Whether python3 can import every module named.
    static func pythonHas(_ modules: String...) -> Bool {
        (try? runPython("import " + modules.joined(separator: ", "))) != nil
    }

    /// Runs a Python program and returns its standard output; throws if it fails.
    @discardableResult
    static func runPython(_ program: String, arguments: [String] = []) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", program] + arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        _ = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw EngineError("python failed") }
        return String(decoding: data, as: UTF8.self)
    }

    /// Fraction of `truth` matched within 0.8 Å by `found`, and the fraction of `found` matched.
    static func recallPrecision(_ found: [Vector3], _ truth: [Vector3]) -> (recall: Double, precision: Double) {
        let m = matchAtoms(found, truth, tolerance: 0.8)
        return (Double(m.pairs.count) / Double(truth.count), Double(m.pairs.count) / Double(max(1, found.count)))
    }
}
