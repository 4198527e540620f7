import Foundation
import Testing
import NanoAtomsEngine

@Suite("Per-atom shape statistics")
struct ShapeStatisticsTests {
    let grid = Volume(nx: 72, ny: 40, nz: 40, voxelSize: 0.3)
    let intrinsic = 0.2

    @Test("the isotropic fit recovers the variance of atoms rendered with known U", arguments: [0.0, 0.05, 0.15])
    func isotropic(u: Double) {
        let positions = [Vector3(5.1, 6.0, 5.9), Vector3(11.3, 5.8, 6.2), Vector3(16.4, 6.1, 5.7)]
        let map = MapSimulation.render(positions: positions, displacements: positions.map { _ in .isotropic(u) },
                                       profile: .gaussian(variance: intrinsic), grid: grid)
        for f in fitDisplacements(map: map, positions: positions, radius: 1.04) {
            #expect(abs(f.uiso - (intrinsic + u)) < 1e-3 * (intrinsic + u), "Uiso \(f.uiso)")
            #expect(abs(f.degreeOfIsotropy - 1) < 1e-3)
        }
    }

    @Test("the anisotropic fit recovers Σ = v·I + U, its eigenvalues and the DOI")
    func anisotropic() {
        let u = Matrix3([0.12, 0.04, -0.02, 0.04, 0.06, 0.01, -0.02, 0.01, 0.03])
        let p = [Vector3(10, 6, 6)]
        let map = MapSimulation.render(positions: p, displacements: [.anisotropic(u)], profile: .gaussian(variance: intrinsic), grid: grid)
        let f = fitDisplacements(map: map, positions: p, radius: 1.04)[0]
        let sigma = f.tensor!
        for a in 0..<3 { for b in 0..<3 {
            #expect(abs(sigma[a, b] - (u[a, b] + (a == b ? intrinsic : 0))) < 1e-3)
        } }
        var expected = u
        for a in 0..<3 { expected[a, a] += intrinsic }
        let e = SymmetricEigen(expected).values
        for k in 0..<3 { #expect(abs(f.principal[k] - e[k]) < 1e-3) }
        #expect(abs(f.degreeOfIsotropy - e[2] / e[0]) < 1e-3)
        #expect(f.principal[0] >= f.principal[1] && f.principal[1] >= f.principal[2])
        // U_iso is close to the mean of the principal variances.
        #expect(abs(f.uiso - e.reduce(0, +) / 3) < 0.03)
    }

    @Test("a density that does not fall off is rejected, not reported")
    func rejected() {
        var map = Volume(sameGridAs: grid, fill: 1)
        // A bowl: intensity grows away from the centre.
        let c = Vector3(10, 6, 6)
        for k in 0..<map.nz { for j in 0..<map.ny { for i in 0..<map.nx {
            map[i, j, k] = Float(1 + (map.position(i, j, k) - c).lengthSquared)
        } } }
        let f = fitDisplacements(map: map, positions: [c], radius: 1.04)[0]
        #expect(f.uiso.isNaN)
        #expect(!f.anisotropicValid)
        #expect(f.degreeOfIsotropy.isNaN)
    }

    @Test("peak-intensity z-score by hand")
    func peakZ() {
        var map = Volume(nx: 5, ny: 1, nz: 1, voxelSize: 1)
        map.values = [1, 2, 3, 4, 10]
        let regions = ComponentList(voxels: [0, 1, 2, 3, 4], start: [0, 5])
        // mean 4, SD √10
        #expect(abs(peakZScores(map: map, regions: regions)[0] - 6 / 10.0.squareRoot()) < 1e-12)
    }
}
