import Foundation
import Testing
@testable import NanoAtomsEngine

/// Weak atoms are recovered only where the particle's lattice has room for them.
@Suite("Recovering weak atoms")
struct WeakAtomRecoveryTests {
    let pt = TestSupport.platinum

    @Test("a weak atom on a missing lattice site is recovered; a weak blob off the lattice is not")
    func onlyLatticeSites() throws {
        let a = pt.latticeConstant, bond = pt.bulkBondLength
        let cnRadius = 0.5 * a * (1 + 1 / 2.0.squareRoot())
        let centre = Vector3(repeating: 15)
        var block = TestParticle.fccSites(within: 2).map { Vector3(Double($0.x), Double($0.y), Double($0.z)) * (a / 2) + centre }
        // The missing site: the block's atom with the largest x among those on the z = 0 plane.
        let site = block.indices.filter { abs(block[$0].z - centre.z) < 0.01 }.max { block[$0].x < block[$1].x }!
        let missing = block.remove(at: site)
        // An off-lattice spot outside the block: bonded to three or more atoms (within the CN
        // radius, none closer than 0.8 bonds) but with fewer than three at a bond's length.
        let grid = NeighborGrid(points: block, maximumRadius: cnRadius)
        var offLattice: Vector3? = nil
        search: for dz in stride(from: 3.0, through: 5.0, by: 0.1) { for dx in stride(from: -2.0, through: 2.0, by: 0.1) {
            let p = centre + Vector3(dx, 0.3, 4.0 + dz - 3.0)
            var bonded = 0, atBond = 0, tooNear = false
            grid.forEachNeighbor(of: p, within: cnRadius) { _, d2 in
                let d = d2.squareRoot()
                bonded += 1
                if d < 0.8 * bond { tooNear = true }
                if abs(d / bond - 1) <= 0.15 { atBond += 1 }
            }
            if !tooNear && bonded >= 3 && atBond < 3 && (p - missing).length > 2 * bond { offLattice = p; break search }
        } }
        let blob = try #require(offLattice)
        // The block at full strength, the two weak ones at 70 %.
        let profile = AtomProfile.peng(pt, voxelSize: 0.358)
        let grid30 = Volume(nx: 84, ny: 84, nz: 84, voxelSize: 0.358)
        let M = MapSimulation.render(positions: block + [missing, blob], scales: block.map { _ in 1.0 } + [0.7, 0.7],
                                     profile: profile, grid: grid30)
        let C = denoise(M, profile: profile)
        let t0 = otsuThreshold(C.values)
        // Strong atoms only: a threshold between the weak and the strong peaks.
        let peakOf = { (p: Vector3) -> Float in let v = C.voxelCoordinate(of: p); return C[Int(v.x.rounded()), Int(v.y.rounded()), Int(v.z.rounded())] }
        let strongMin = block.map(peakOf).min()!, weakMax = max(peakOf(missing), peakOf(blob))
        #expect(weakMax < strongMin)
        let found = detectAtoms(denoised: C, raw: M, threshold: (strongMin + weakMax) / 2)
        #expect(found.count == block.count)
        let scorer = SimulatedMapCorrelation(map: C, profile: profile, above: t0)
        let (recovered, added) = recoverWeakAtoms(found, denoised: C, scorer: scorer, lowerThreshold: t0, element: pt, radius: pt.radius)
        let new = Array(recovered.positions.suffix(added))
        #expect(new.contains { ($0 - missing).length < 0.5 }, "the lattice site was not recovered: \(new)")
        #expect(!new.contains { ($0 - blob).length < 1.0 }, "the off-lattice blob was recovered")
        // Without the bond-length test the blob, a real density, is taken too.
        var loose = WeakAtomOptions()
        loose.bondTolerance = 1
        let (anyBlob, n) = recoverWeakAtoms(found, denoised: C, scorer: scorer, lowerThreshold: t0, element: pt, radius: pt.radius, options: loose)
        #expect(anyBlob.positions.suffix(n).contains { ($0 - blob).length < 1.0 })
    }
}
