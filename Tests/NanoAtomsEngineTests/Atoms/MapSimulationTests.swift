import Foundation
import Testing
@testable import NanoAtomsEngine

@Suite("Rendering maps from atoms")
struct MapSimulationTests {
    let grid = Volume(nx: 40, ny: 40, nz: 40, voxelSize: 0.3)

    /// Mass, centroid (Å) and covariance (Å²) of a rendered map.
    func moments(_ v: Volume) -> (mass: Double, centre: Vector3, covariance: Matrix3) {
        var m = 0.0, c = Vector3.zero
        for k in 0..<v.nz { for j in 0..<v.ny { for i in 0..<v.nx { let w = Double(v[i, j, k]); m += w; c += w * v.position(i, j, k) } } }
        c /= m
        var cov = Matrix3([0, 0, 0, 0, 0, 0, 0, 0, 0])
        for k in 0..<v.nz { for j in 0..<v.ny { for i in 0..<v.nx {
            let w = Double(v[i, j, k]) / m, d = v.position(i, j, k) - c
            for p in 0..<3 { for q in 0..<3 { cov[p, q] += w * d[p] * d[q] } }
        } } }
        return (m * pow(v.voxelSize, 3), c, cov)
    }

    @Test("an isotropic atom keeps its weight, sits where it was put and has variance v + U")
    func isotropic() {
        let p = Vector3(5.93, 6.11, 5.47)
        let v = MapSimulation.render(positions: [p], displacements: [.isotropic(0.05)], scales: [2],
                                     profile: .gaussian(variance: 0.2), grid: grid)
        let m = moments(v)
        #expect(abs(m.mass - 2) < 1e-3)
        #expect((m.centre - p).length < 1e-3)     // sampling a 1.7-voxel Gaussian: ~1e-4 Å
        for d in 0..<3 { #expect(abs(m.covariance[d, d] - 0.25) < 2e-3) }
    }

    @Test("an anisotropic atom's covariance is v·I + U")
    func anisotropic() {
        let u = Matrix3([0.10, 0.03, -0.02, 0.03, 0.06, 0.01, -0.02, 0.01, 0.02])
        let p = Vector3(6, 6, 6)
        let m = moments(MapSimulation.render(positions: [p], displacements: [.anisotropic(u)], profile: .gaussian(variance: 0.15), grid: grid))
        for a in 0..<3 { for b in 0..<3 {
            #expect(abs(m.covariance[a, b] - (u[a, b] + (a == b ? 0.15 : 0))) < 3e-3)
        } }
    }

    @Test("every voxel holds the atoms' density evaluated there, with atoms at and beyond the box's faces")
    func voxelByVoxel() {
        // A small box whose rows are shorter and longer than the atoms' windows, and atoms
        // whose windows cross every face (and one whose centre lies outside the box).
        let grid = Volume(nx: 13, ny: 30, nz: 11, voxelSize: 0.35)
        let profile = AtomProfile.peng(Element.named("Pt")!, voxelSize: 0.35)
        let atoms = [Vector3(0.1, 0.2, 0.3), Vector3(4.3, 10.1, 3.6), Vector3(4.2, 9.9, 1.8), Vector3(1.9, 5.2, 3.4),
                     Vector3(4.4, 0.7, 2.2), Vector3(2.05, 3.3, -0.4)]
        let map = MapSimulation.render(positions: atoms, profile: profile, grid: grid, threads: 2)
        let reach = 4 * profile.widestVariance.squareRoot()
        var worst = 0.0
        for k in 0..<grid.nz { for j in 0..<grid.ny { for i in 0..<grid.nx {
            let x = grid.position(i, j, k)
            // Each term is cut at 5σ of its own (MapSimulation.termReachInSigmas), the atom at its reach.
            var expected = 0.0
            for p in atoms {
                let d = x - p
                guard abs(d.x) <= reach, abs(d.y) <= reach, abs(d.z) <= reach else { continue }
                for t in profile.weights.indices {
                    let r = min(5 * profile.variances[t].squareRoot(), reach)
                    guard abs(d.x) <= r, abs(d.y) <= r, abs(d.z) <= r else { continue }
                    expected += profile.amplitude(t) * exp(-d.lengthSquared / (2 * profile.variances[t]))
                }
            }
            worst = max(worst, abs(Double(map[i, j, k]) - expected) / max(1, expected))
        } } }
        #expect(worst < 1e-5)
    }

    @Test("the row kernel's vector and portable paths render the same map, rows ending at the box's face included")
    func rowKernelPaths() {
        // Rows of 13 voxels (shorter than a window: the vector path's last block has no room
        // and is added voxel by voxel) and of 37; atoms across every face, widths and scales of
        // their own, a zero scale and a negative one.
        let profile = AtomProfile.peng(Element.named("Pt")!, voxelSize: 0.35)
        for grid in [Volume(nx: 13, ny: 30, nz: 11, voxelSize: 0.35), Volume(nx: 37, ny: 21, nz: 25, voxelSize: 0.35)] {
            let atoms = (0..<40).map { n -> Vector3 in
                let t = Double(n)
                return Vector3((0.37 * t).truncatingRemainder(dividingBy: 1) * grid.boxSize.x * 1.1 - 0.3,
                               (0.61 * t).truncatingRemainder(dividingBy: 1) * grid.boxSize.y,
                               (0.83 * t).truncatingRemainder(dividingBy: 1) * grid.boxSize.z * 1.1 - 0.3)
            }
            let u = atoms.indices.map { Displacement.isotropic(0.01 * Double($0 % 7)) }
            let scales = atoms.indices.map { $0 == 3 ? 0 : $0 == 5 ? -0.5 : 0.6 + 0.03 * Double($0) }
            let vector = MapSimulation.render(positions: atoms, displacements: u, scales: scales, profile: profile, grid: grid,
                                              threads: 2, vectorKernel: true)
            let portable = MapSimulation.render(positions: atoms, displacements: u, scales: scales, profile: profile, grid: grid,
                                                threads: 2, vectorKernel: false)
            let peak = portable.values.map { abs($0) }.max()!
            #expect(peak > 0)
            #expect(zip(vector.values, portable.values).allSatisfy { abs($0 - $1) <= 1e-6 * peak })
        }
    }

    @Test("rendering into a map clears only the box its atoms reached, and gives the map a fresh render gives")
    func renderIntoClearingBox() throws {
        let profile = AtomProfile.peng(Element.named("Pt")!, voxelSize: 0.3)
        let before = (0..<12).map { Vector3(4 + 0.3 * Double($0), 5 + sin(Double($0)), 4.5 + cos(Double($0))) }
        let after = before.map { $0 + Vector3(0.2, -0.1, 0.15) }
        var map = Volume(sameGridAs: grid)
        let reached = try #require(MapSimulation.render(positions: before, profile: profile, into: &map, threads: 2))
        // The box holds every non-zero voxel, and stops short of the map's far faces.
        for k in 0..<map.nz { for j in 0..<map.ny { for i in 0..<map.nx where map[i, j, k] != 0 {
            #expect(all(SIMD3(i, j, k) .>= reached.lo) && all(SIMD3(i, j, k) .<= reached.hi))
        } } }
        #expect(all(reached.hi .< map.dimensions &- 1))
        let second = MapSimulation.render(positions: after, profile: profile, into: &map, clearing: reached, threads: 2)
        #expect(second != nil)
        #expect(map == MapSimulation.render(positions: after, profile: profile, grid: grid, threads: 2))
        // No atom on the grid: nothing reached, and the box cleared.
        #expect(MapSimulation.render(positions: [Vector3(-50, 0, 0)], profile: profile, into: &map, clearing: second, threads: 2) == nil)
        #expect(map.values.allSatisfy { $0 == 0 })
    }

    @Test("one thread and two threads render the same map")
    func threads() {
        let pts = (0..<30).map { Vector3(3 + 0.2 * Double($0), 6 + sin(Double($0)), 5 + cos(Double($0))) }
        let profile = AtomProfile.peng(Element.named("Au")!, voxelSize: 0.3)
        #expect(MapSimulation.render(positions: pts, profile: profile, grid: grid, threads: 1)
                == MapSimulation.render(positions: pts, profile: profile, grid: grid, threads: 2))
    }

    @Test("adding atoms to a map, or taking them away with negated scales, agrees with rendering the set")
    func incremental() {
        let pts = (0..<30).map { Vector3(3 + 0.2 * Double($0), 6 + sin(Double($0)), 5 + cos(Double($0))) }
        let u = pts.indices.map { Displacement.isotropic(0.02 * Double($0 % 5)) }
        let a = pts.indices.map { 0.5 + 0.05 * Double($0) }
        let profile = AtomProfile.peng(Element.named("Pt")!, voxelSize: 0.3)
        let whole = MapSimulation.render(positions: pts, displacements: u, scales: a, profile: profile, grid: grid)
        // The first 20, then the last 10 added.
        var map = MapSimulation.render(positions: Array(pts[..<20]), displacements: Array(u[..<20]), scales: Array(a[..<20]), profile: profile, grid: grid)
        MapSimulation.add(positions: Array(pts[20...]), displacements: Array(u[20...]), scales: Array(a[20...]), profile: profile, to: &map)
        let peak = whole.values.max()!
        #expect(zip(map.values, whole.values).allSatisfy { abs($0 - $1) <= 1e-6 * peak })
        // Then the last 10 taken away again: the first 20 alone.
        MapSimulation.add(positions: Array(pts[20...]), displacements: Array(u[20...]), scales: a[20...].map { -$0 }, profile: profile, to: &map)
        let first = MapSimulation.render(positions: Array(pts[..<20]), displacements: Array(u[..<20]), scales: Array(a[..<20]), profile: profile, grid: grid)
        #expect(zip(map.values, first.values).allSatisfy { abs($0 - $1) <= 1e-6 * peak })
        #expect(zip(map.values, whole.values).contains { abs($0 - $1) > 0.01 * peak })
    }
}
