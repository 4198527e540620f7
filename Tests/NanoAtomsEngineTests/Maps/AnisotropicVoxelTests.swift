import Foundation
import Testing
@testable import NanoAtomsEngine

/// A map whose voxels are not cubes is resampled onto cubes of the finest spacing when read,
/// with a flag: a linear function of position is reproduced exactly (trilinear
/// interpolation's defining case), and the extent and origin are kept.
@Suite("MRC with non-cubic voxels")
struct AnisotropicVoxelTests {
    /// A map of f(x, y, z) = 1 + 0.5x − 0.25y + 2z (Å) on voxels `sizes` Å, written as MRC
    /// with the matching cell.
    func linearMap(_ n: (Int, Int, Int), sizes: (Double, Double, Double)) -> [UInt8] {
        var v = Volume(nx: n.0, ny: n.1, nz: n.2, voxelSize: 1)
        for k in 0..<n.2 { for j in 0..<n.1 { for i in 0..<n.0 {
            v[i, j, k] = Float(1 + 0.5 * Double(i) * sizes.0 - 0.25 * Double(j) * sizes.1 + 2 * Double(k) * sizes.2)
        } } }
        var bytes = MRCFormat.encode(v)
        // The cell (words 11–13, Å) over the sampling (words 8–10) sets each axis's voxel size.
        for (a, s) in [sizes.0, sizes.1, sizes.2].enumerated() {
            let cell = Float(Double([n.0, n.1, n.2][a]) * s).bitPattern
            for b in 0..<4 { bytes[40 + 4 * a + b] = UInt8(truncatingIfNeeded: cell >> (8 * UInt32(b))) }
        }
        return bytes
    }

    @Test("0.4 × 0.4 × 0.8 Å voxels: resampled to 0.4 Å cubes, a linear map reproduced, flagged")
    func resampled() throws {
        let v = try MRCFormat.decode(linearMap((10, 8, 6), sizes: (0.4, 0.4, 0.8)), name: "aniso.mrc")
        #expect(v.voxelSize == 0.4 && v.nx == 10 && v.ny == 8 && v.nz == 11)
        var worst = 0.0
        for k in 0..<v.nz { for j in 0..<v.ny { for i in 0..<v.nx {
            let x = Double(i) * 0.4, y = Double(j) * 0.4, z = Double(k) * 0.4
            worst = max(worst, abs(Double(v[i, j, k]) - (1 + 0.5 * x - 0.25 * y + 2 * z)))
        } } }
        #expect(worst < 1e-4, "largest error \(worst)")
        #expect(v.flags.contains { $0.code == .resampled && $0.reason.contains("0.4000 × 0.4000 × 0.8000") })
    }

    @Test("cubic voxels are read as they are, without a flag; --apix still overrides the header")
    func cubicUntouched() throws {
        let v = try MRCFormat.decode(linearMap((6, 6, 6), sizes: (0.5, 0.5, 0.5)), name: "cubic.mrc")
        #expect(v.nz == 6 && v.voxelSize == 0.5 && !v.flags.contains { $0.code == .resampled })
        let w = try MRCFormat.decode(linearMap((6, 6, 6), sizes: (0.4, 0.4, 0.8)), name: "aniso.mrc", voxelSize: 0.45)
        #expect(w.nz == 6 && w.voxelSize == 0.45 && !w.flags.contains { $0.code == .resampled })
    }

    @Test("an axis whose voxel size is absurd is refused, naming the axis")
    func absurdAxis() {
        #expect(throws: EngineError.self) { try MRCFormat.decode(linearMap((6, 6, 6), sizes: (0.4, 0.4, 400)), name: "bad.mrc") }
        do { _ = try MRCFormat.decode(linearMap((6, 6, 6), sizes: (0.4, 0.4, 400)), name: "bad.mrc") }
        catch let e as EngineError { #expect(e.message.contains("along z")) } catch { Issue.record("\(error)") }
    }
}
