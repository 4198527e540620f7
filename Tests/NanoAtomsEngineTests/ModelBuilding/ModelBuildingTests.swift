import Foundation
import Testing
import NanoAtomsEngine

@Suite("Splitting merged atoms")
struct SplitTests {
    let pt = TestSupport.platinum

    /// A noise-free map of Pt atoms at `positions`, and its atoms found at a threshold low
    /// enough to merge close atoms into one component.
    func merged(_ positions: [Vector3]) -> (AtomDetection, Volume, Volume) {
        let grid = Volume(nx: 48, ny: 48, nz: 48, voxelSize: 0.358)
        let profile = AtomProfile.peng(pt, voxelSize: 0.358)
        let m = MapSimulation.render(positions: positions, displacements: positions.map { _ in .isotropic(0.02) }, profile: profile, grid: grid)
        let c = denoise(m, profile: profile)
        return (detectAtoms(denoised: c, raw: m, threshold: 0.2 * VolumeStatistics(c).maximum), c, m)
    }

    @Test("two atoms 2.0 Å apart, merged into one component, are split into two at the right places")
    func twoAtoms() {
        let truth = [Vector3(7.5, 8.4, 8.1), Vector3(9.5, 8.4, 8.1)]
        let (found, c, m) = merged(truth)
        #expect(found.count == 1)
        let (split, n) = splitMergedAtoms(found, denoised: c, raw: m, options: SplitOptions(radius: pt.radius))
        #expect(n == 1)
        #expect(split.count == 2)
        #expect(split.wasSplit == [true, true])
        let match = matchAtoms(split.positions, truth, tolerance: 0.2)
        #expect(match.pairs.count == 2, "split into \(split.positions)")
    }

    @Test("a chain of three merged atoms becomes three")
    func threeAtoms() {
        let truth = [Vector3(6.5, 8, 8), Vector3(8.9, 8.3, 8), Vector3(11.3, 8, 8.2)]
        let (found, c, m) = merged(truth)
        let (split, _) = splitMergedAtoms(found, denoised: c, raw: m, options: SplitOptions(radius: pt.radius))
        #expect(matchAtoms(split.positions, truth, tolerance: 0.25).pairs.count == 3)
    }

    @Test("a single atom is left alone")
    func singleAtom() {
        let (found, c, m) = merged([Vector3(8.1, 8.2, 8.3)])
        let (split, n) = splitMergedAtoms(found, denoised: c, raw: m, options: SplitOptions(radius: pt.radius))
        #expect(n == 0)
        #expect(split.positions == found.positions)
    }
}

@Suite("Validation rules")
struct ValidationTests {
    @Test("the paper's rule removes correlations more than 2 SD below the mean")
    func paperRule() {
        let corr = [0.9, 0.9, 0.9, 0.9, 0.5]                // mean 0.82, SD 0.16: limit 0.50
        #expect(abs(OutlierRule.paper.limit(for: corr) - 0.5) < 1e-12)
        let corr2 = [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.3]
        let (kept, removed) = removeCorrelationOutliers(corr2, positions: corr2.map { _ in .zero }, rule: .paper)
        #expect(kept == [0, 1, 2, 3, 4, 5])
        #expect(removed.map(\.value) == [0.3])
        #expect(removed[0].reason.hasPrefix("correlation 0.300 below the outlier limit"))
    }

    @Test("the robust rule keeps a smooth tail and removes an isolated outlier")
    func robustRule() {
        // A normal-like spread of 200 values, and one far below it.
        var g = SeededGenerator(seed: 3)
        var corr = (0..<200).map { _ in 0.8 + 0.05 * g.gaussian() }
        let paperRemoves = removeCorrelationOutliers(corr, positions: corr.map { _ in .zero }, rule: .paper).removed.count
        #expect(paperRemoves > 0)                           // the paper's rule always trims
        #expect(removeCorrelationOutliers(corr, positions: corr.map { _ in .zero }, rule: .robust).removed.isEmpty)
        corr.append(0.2)
        let removed = removeCorrelationOutliers(corr, positions: corr.map { _ in .zero }, rule: .robust).removed
        #expect(removed.map(\.value) == [0.2])
    }

    /// Pearson's r between M and S over the voxels within `radius` Å of `p` (sphere) or
    /// within a cube of side 2·`radius`, found by testing every voxel of the box.
    static func bruteForceCorrelation(_ m: Volume, _ s: Volume, at p: Vector3, radius: Double, sphere: Bool) -> Double {
        var xs: [Float] = [], ys: [Float] = []
        let c = m.voxelCoordinate(of: p), r = radius / m.voxelSize
        for k in 0..<m.nz { for j in 0..<m.ny { for i in 0..<m.nx {
            let d = Vector3(Double(i), Double(j), Double(k)) - c
            let inside = sphere ? d.lengthSquared <= r * r : (abs(d.x) <= r && abs(d.y) <= r && abs(d.z) <= r)
            if inside { xs.append(m[i, j, k]); ys.append(s[i, j, k]) }
        } } }
        return pearson(xs, ys)
    }

    @Test("per-atom correlations equal Pearson's r over exactly the voxels of each window, at the box's faces too",
          arguments: [true, false])
    func perAtomCorrelationWindows(sphere: Bool) {
        var g = SeededGenerator(seed: 21)
        let grid = Volume(nx: 23, ny: 19, nz: 21, voxelSize: 0.4)
        let m = Volume(nx: 23, ny: 19, nz: 21, voxelSize: 0.4, values: (0..<grid.count).map { _ in Float(g.gaussian()) })
        let s = Volume(nx: 23, ny: 19, nz: 21, voxelSize: 0.4, values: m.values.map { $0 + Float(g.gaussian()) })
        // Inside, off-centre between voxels, and near or past the faces.
        let positions = [Vector3(4.4, 3.8, 4.1), Vector3(2.03, 5.51, 3.97), Vector3(0.3, 0.2, 7.9), Vector3(8.7, 7.1, 0.05)]
        let radius = 1.65
        let window: CorrelationWindow = sphere ? .sphere(radius: radius) : .cube(side: 2 * radius)
        let fast = perAtomCorrelations(raw: m, simulated: s, positions: positions, window: window, threads: 2)
        for (a, p) in positions.enumerated() {
            let expected = Self.bruteForceCorrelation(m, s, at: p, radius: radius, sphere: sphere)
            #expect(abs(fast[a] - expected) < 1e-9, "atom \(a): \(fast[a]) vs \(expected)")
        }
    }

    @Test("atoms with too few neighbours are removed, saying so")
    func lowCoordination() {
        let a = 3.9242, d = a / 2.0.squareRoot()
        let positions = [Vector3.zero, Vector3(d, 0, 0), Vector3(0, d, 0), Vector3(d, d, 0), Vector3(20, 20, 20)]
        let (kept, removed) = removeLowCoordination(positions, radius: 0.5 * a * (1 + 1 / 2.0.squareRoot()), minimum: 2)
        #expect(kept == [0, 1, 2, 3])
        #expect(removed.count == 1 && removed[0].position == Vector3(20, 20, 20))
        #expect(removed[0].reason == "CN 0 below the minimum 2")
    }
}

@Suite("Building a model from a map")
struct ModelBuilderTests {
    let pt = TestSupport.platinum

    @Test("the threshold search finds every atom of a clean 309-atom particle")
    func cleanParticle() {
        var s = ParticleSpec(element: pt)
        s.atomCount = 309; s.expansion = 0.015
        let p = TestParticle.make(s)
        let r = buildModel(from: p.map, options: ModelBuildingOptions(element: pt))
        let (recall, precision) = TestSupport.recallPrecision(r.atoms.positions, p.positions)
        #expect(recall == 1 && precision == 1)
        #expect(matchAtoms(r.atoms.positions, p.positions, tolerance: 0.8).rmsd < 0.05)
        #expect(r.search.trials.count >= 20)
        #expect(r.search.trials.contains { $0.threshold == r.search.threshold && $0.correlation == r.search.correlation })
        #expect(r.search.trials.allSatisfy { $0.correlation <= r.search.correlation })
        #expect(r.removals.isEmpty)
    }

    @Test("a noisy particle in a large box is masked and still found", arguments: [ParticleShape.cuboctahedron, .irregular])
    func noisyLargeBox(shape: ParticleShape) {
        var s = ParticleSpec(element: pt)
        s.shape = shape; s.atomCount = 309; s.snr = 5; s.box = 140; s.seed = 11
        s.surfaceDisorder = 0.05
        let p = TestParticle.make(s)
        let r = buildModel(from: p.map, options: ModelBuildingOptions(element: pt))
        #expect(r.mask!.automatic)
        let centroid = p.positions.reduce(.zero, +) / Double(p.positions.count)
        #expect((r.mask!.centre - centroid).length < 2)
        let (recall, precision) = TestSupport.recallPrecision(r.atoms.positions, p.positions)
        #expect(recall >= 0.97, "recall \(recall)")
        #expect(precision >= 0.98, "precision \(precision)")
    }

    @Test("a map stored with permuted axes and start indices loads to the same atoms")
    func permutedFile() throws {
        var s = ParticleSpec(element: pt)
        s.atomCount = 147; s.snr = 8; s.seed = 2
        let p = TestParticle.make(s)
        var layout = MRCFormat.Layout()
        layout.axisOrder = (3, 1, 2); layout.start = (-10, 5, 3); layout.bigEndian = true
        let permuted = try MRCFormat.decode(MRCFormat.encode(p.map, layout: layout), name: "perm.mrc")
        let options = ModelBuildingOptions(element: pt)
        let a = buildModel(from: p.map, options: options).atoms.positions
        let b = buildModel(from: permuted, options: options).atoms.positions
        #expect(a.count == b.count)
        #expect(matchAtoms(a, b, tolerance: 1e-3).pairs.count == a.count)
    }

    @Test("every removal is recorded with its rule, and the paper's rule removes more real atoms")
    func removalsRecorded() {
        var s = ParticleSpec(element: pt)
        s.atomCount = 309; s.snr = 5; s.seed = 7
        let p = TestParticle.make(s)
        var o = ModelBuildingOptions(element: pt)
        o.outlierRule = .paper
        let paper = buildModel(from: p.map, options: o)
        #expect(paper.removedCount(.lowCorrelation) > 0)
        #expect(paper.atoms.count == paper.candidates.count - paper.removals.count)
        o.outlierRule = .robust
        let robust = buildModel(from: p.map, options: o)
        #expect(TestSupport.recallPrecision(robust.atoms.positions, p.positions).recall
                > TestSupport.recallPrecision(paper.atoms.positions, p.positions).recall)
        o.minimumCoordination = nil; o.outlierRule = .none
        #expect(buildModel(from: p.map, options: o).removals.isEmpty)
    }
}
