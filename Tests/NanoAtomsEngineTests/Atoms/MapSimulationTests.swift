import Foundation
import Testing
import NanoAtomsEngine

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

    @Test("one thread and two threads render the same map")
    func threads() {
        let pts = (0..<30).map { Vector3(3 + 0.2 * Double($0), 6 + sin(Double($0)), 5 + cos(Double($0))) }
        let profile = AtomProfile.peng(Element.named("Au")!, voxelSize: 0.3)
        #expect(MapSimulation.render(positions: pts, profile: profile, grid: grid, threads: 1)
                == MapSimulation.render(positions: pts, profile: profile, grid: grid, threads: 2))
    }
}
