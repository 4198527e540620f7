import Foundation
import Testing
@testable import NanoAtomsEngine

/// Half maps: the refined model fitted to each of two independent halves, each atom's distance
/// between its two positions an error estimate independent of the fit's noise model.
@Suite("Half-map differences")
struct HalfMapsTests {
    static let pt = Element.named("Pt")!

    /// A clean simulated particle and two halves: the clean map plus independent white noise,
    /// each with √2 × the noise of their average, the full map (whose SNR is `snr`).
    static func halves(snr: Double, seed: UInt64) -> (full: Volume, a: Volume, b: Volume, truth: SimulatedParticle) {
        var s = ParticleSpec(element: pt)
        s.atomCount = 309; s.seed = seed
        let p = TestParticle.make(s)
        let sd = TestParticle.medianPeak(of: p.map, at: p.positions) / snr * 2.0.squareRoot()
        var g = SeededGenerator(seed: seed &+ 100)
        var a = p.map, b = p.map, full = p.map
        for i in 0..<p.map.count {
            a.values[i] += Float(sd * g.gaussian())
            b.values[i] += Float(sd * g.gaussian())
            full.values[i] = (a.values[i] + b.values[i]) / 2
        }
        return (full, a, b, p)
    }

    @Test("half the median half-map difference matches the refined positions' true error and their standard errors")
    func matchesTrueError() throws {
        let (full, a, b, truth) = Self.halves(snr: 5, seed: 31)
        var o = ModelBuildingOptions(element: Self.pt)
        o.refine = true
        let run = try ParticleRun(map: full, options: o, halves: (a, b))
        let atoms = run.model.atoms
        let d = try atoms.values(of: Statistic.named("half_map_difference")!)
        #expect(d.count == atoms.count && d.allSatisfy { $0.isFinite && $0 >= 0 })
        let h = try #require(run.model.refinement?.halfMaps)
        #expect(h.atoms == atoms.count)
        // The true 3D error of the refined positions.
        let m = matchAtoms(atoms.positions, truth.positions, tolerance: 0.8)
        let errors = m.pairs.map { (atoms.positions[$0.first] - truth.positions[$0.second]).length }
        let ratio = h.medianDifference / 2 / median(errors)
        #expect((0.6...1.6).contains(ratio), "half of the median difference over the median true error: \(ratio)")
        #expect((0.6...1.6).contains(h.calibration), "against the standard errors: \(h.calibration)")
        #expect(!run.model.flags.contains { $0.reason.hasPrefix("the half maps disagree") })
        // The column and the summary travel to the run's files.
        let folder = TestSupport.temporaryFolder()
        try run.write(to: folder, mapName: "full.mrc")
        let summary = try String(contentsOfFile: folder + "/summary.json", encoding: .utf8)
        #expect(summary.contains("\"half_maps\"") && summary.contains("\"median_difference\""))
        let table = try String(contentsOfFile: folder + "/atoms.csv", encoding: .utf8)
        #expect(table.split(separator: "\n").first?.contains("half_map_difference") == true)
    }

    @Test("two identical halves differ by nothing; an unrefined model passes unchanged")
    func identicalHalves() throws {
        let (full, _, _, _) = Self.halves(snr: 6, seed: 32)
        var o = ModelBuildingOptions(element: Self.pt)
        o.refine = true
        let model = buildModel(from: full, options: o)
        let same = try compareHalfMaps(model, halves: (full, full))
        let d = try same.atoms.values(of: Statistic.named("half_map_difference")!)
        #expect(d.allSatisfy { $0 < 1e-9 })
        o.refine = false
        let plain = buildModel(from: full, options: o)
        let passed = try compareHalfMaps(plain, halves: (full, full))
        #expect(passed.atoms[column: "half_map_difference"] == nil && passed.refinement == nil)
    }

    @Test("halves of another particle are flagged, with the reason")
    func foreignHalves() throws {
        let (full, a, _, _) = Self.halves(snr: 6, seed: 33)
        let (_, other, _, _) = Self.halves(snr: 6, seed: 34)   // another random orientation
        var o = ModelBuildingOptions(element: Self.pt)
        o.refine = true
        let compared = try compareHalfMaps(buildModel(from: full, options: o), halves: (a, other))
        #expect(compared.flags.contains { $0.code == .refinement && $0.reason.hasPrefix("the half maps disagree") })
    }

    @Test("a half map on another grid is refused, naming the file and the grids")
    func wrongGrid() {
        let full = Volume(nx: 32, ny: 32, nz: 32, voxelSize: 0.35)
        let small = Volume(nx: 30, ny: 32, nz: 32, voxelSize: 0.35), coarse = Volume(nx: 32, ny: 32, nz: 32, voxelSize: 0.4)
        #expect(throws: EngineError.self) { try checkHalfMaps(full, (small, full), names: ("a.mrc", "b.mrc")) }
        do { try checkHalfMaps(full, (full, small), names: ("a.mrc", "b.mrc")); Issue.record("accepted") }
        catch { #expect(error.description == "b.mrc: a half map must have the full map's grid: 30×32×32 voxels, the full map 32×32×32") }
        do { try checkHalfMaps(full, (coarse, full), names: ("a.mrc", "b.mrc")); Issue.record("accepted") }
        catch { #expect(error.description.hasPrefix("a.mrc: a half map must have the full map's voxel size")) }
        #expect(throws: Never.self) { try checkHalfMaps(full, (full, full), names: ("a.mrc", "b.mrc")) }
    }
}
