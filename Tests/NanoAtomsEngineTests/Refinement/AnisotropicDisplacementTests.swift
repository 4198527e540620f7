import Foundation
import Testing
@testable import NanoAtomsEngine

/// Anisotropic displacements refined against the map with the other atoms modelled: the true
/// tensor recovered beside close neighbours, and standard errors that match the true errors.
@Suite("Anisotropic displacement refinement")
struct AnisotropicDisplacementTests {
    static let pt = Element.named("Pt")!

    /// The largest difference between the entries of two tensors, Å².
    static func largestDifference(_ a: Matrix3, _ b: Matrix3) -> Double {
        zip(a.m, b.m).map { abs($0 - $1) }.max()!
    }

    @Test("a pair 2.2 Å apart stays isotropic and an elongated atom beside it is recovered, each entry within 0.006 Å²")
    func neighboursModelled() throws {
        let profile = AtomProfile.peng(Self.pt, voxelSize: 0.358)
        let grid = Volume(nx: 48, ny: 48, nz: 48, voxelSize: 0.358)
        let c = Vector3(8.6, 8.6, 8.6)
        let positions = [c + Vector3(-1.1, 0, 0), c + Vector3(1.1, 0, 0), c + Vector3(0, 3.4, 0)]
        // The third atom moves along (1, 0, 1)/√2 by 0.12 Å² more than across.
        let axis = Vector3(1, 0, 1) / 2.0.squareRoot()
        var elongated = Matrix3.diagonal(Vector3(repeating: 0.03))
        for p in 0..<3 { for q in 0..<3 { elongated[p, q] += 0.12 * axis[p] * axis[q] } }
        let truth: [Matrix3] = [.diagonal(Vector3(repeating: 0.03)), .diagonal(Vector3(repeating: 0.03)), elongated]
        let map = MapSimulation.render(positions: positions, displacements: truth.map { .anisotropic($0) }, profile: profile, grid: grid, threads: 2)
        let window = JointFitLimits.windowFraction * Self.pt.bulkBondLength
        let fit = fitAtomsJointly(positions, map: map, profile: profile, windowRadius: window, threads: 2)
        let refined = refineAnisotropicDisplacements(fit, map: map, profile: profile, windowRadius: window, threads: 2)
        for i in 0..<3 {
            let u = try #require(refined[i].tensor, "atom \(i) has no tensor")
            #expect(Self.largestDifference(u, truth[i]) < 0.006, "atom \(i): \(u.m) against \(truth[i].m)")
        }
    }

    @Test("on a noisy particle whose surface atoms move radially, the tensors' errors match their standard errors")
    func calibratedOnAParticle() throws {
        var s = ParticleSpec(element: Self.pt)
        s.atomCount = 309; s.snr = 8; s.seed = 31; s.surfaceRadialDisplacement = 0.08
        let p = TestParticle.make(s)
        let profile = AtomProfile.peng(Self.pt, voxelSize: p.map.voxelSize)
        let window = JointFitLimits.windowFraction * Self.pt.bulkBondLength
        let fit = fitAtomsJointly(p.positions, map: p.map, profile: profile, windowRadius: window, threads: 2)
        let refined = refineAnisotropicDisplacements(fit, map: p.map, profile: profile, windowRadius: window, threads: 2)
        var z2 = 0.0, zCount = 0
        let entries = [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)]
        for i in p.positions.indices {
            guard let u = refined[i].tensor else { continue }
            let t = p.displacements[i].tensor
            for (c, (a, b)) in entries.enumerated() where refined[i].errors[c] > 0 {
                let z = (u[a, b] - t[a, b]) / refined[i].errors[c]
                z2 += z * z; zCount += 1
            }
        }
        let valid = refined.filter { $0.tensor != nil }.count
        #expect(valid >= p.positions.count * 9 / 10, "\(valid) of \(p.positions.count) tensors")
        let rmsZ = (z2 / Double(zCount)).squareRoot()
        #expect((0.7...1.4).contains(rmsZ), "RMS of error/σ over the tensors' entries: \(rmsZ)")
    }
}
