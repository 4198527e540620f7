import Foundation
import Testing
@testable import NanoAtomsEngine

/// The mask is found from the particle's atoms, on maps whose envelope fails: low-frequency
/// noise, liquid, gradients, an off-centre particle, small particles in large boxes.
@Suite("Locating the particle and masking it")
struct ParticleLocationTests {
    let pt = TestSupport.platinum

    /// A small particle in a box 2–3× its size.
    func spec(atoms: Int, box: Int, snr: Double?, seed: UInt64 = 3) -> ParticleSpec {
        var s = ParticleSpec(element: pt)
        s.atomCount = atoms; s.box = box; s.snr = snr; s.seed = seed
        return s
    }

    func centroid(_ p: [Vector3]) -> Vector3 { p.reduce(.zero, +) / Double(p.count) }

    @Test("the located sphere holds every true atom and sits on the particle",
          arguments: [(55, 80, 0.0, 0.0), (147, 112, 0.05, 0.0), (147, 112, 0.02, 6.0), (309, 130, 0.03, -4.0)])
    func locatesSmallParticles(atoms: Int, box: Int, lowFrequency: Double, offset: Double) throws {
        var s = spec(atoms: atoms, box: box, snr: 6)
        s.background.lowFrequencyFraction = lowFrequency
        s.background.offset = Vector3(offset, 0, 0)
        let p = TestParticle.make(s)
        let estimate = MaskEstimate.make(.automatic, for: p.map, element: pt)
        let mask = try #require(estimate.mask)
        #expect(mask.method == .atomPeaks)
        #expect(estimate.flags.isEmpty, "\(estimate.flags)")
        let c = centroid(p.positions)
        #expect((mask.centre - c).length < 1.5, "centre \(mask.centre) vs \(c)")
        let farthest = p.positions.map { ($0 - mask.centre).length }.max()!
        #expect(farthest < mask.radius, "an atom \(farthest) Å out, mask radius \(mask.radius)")
        // Not much larger than the particle: at most two bonds beyond the farthest atom.
        #expect(mask.radius < farthest + 2 * pt.bulkBondLength + 1, "mask radius \(mask.radius), farthest atom \(farthest)")
    }

    @Test("no cliff: the mask and the recall change smoothly with the low-frequency noise")
    func noCliffUnderLowFrequencyNoise() {
        var diameters: [Double] = [], envelopes: [Double] = []
        for fraction in [0.0, 0.01, 0.02, 0.03, 0.05] {
            var s = spec(atoms: 147, box: 112, snr: 6, seed: 5)
            s.background.lowFrequencyFraction = fraction
            let p = TestParticle.make(s)
            envelopes.append(2 * ParticleMask.envelope(of: p.map).radius)
            let r = buildModel(from: p.map, options: ModelBuildingOptions(element: pt))
            diameters.append(2 * r.mask!.radius)
            let (recall, precision) = TestSupport.recallPrecision(r.atoms.positions, p.positions)
            #expect(recall >= 0.95, "recall \(recall) at \(fraction)")
            #expect(precision >= 0.95, "precision \(precision) at \(fraction)")
            #expect(!r.flags.contains { $0.code == .maskDoubtful || $0.code == .maskFallback }, "\(r.flags)")
        }
        #expect(diameters.max()! - diameters.min()! < 3, "diameters \(diameters)")
        // The envelope on the same maps is the cliff this replaces: it fills the 40 Å box.
        #expect(envelopes[0] < 30 && envelopes.max()! - envelopes[0] > 10, "envelope diameters \(envelopes), ours \(diameters)")
    }

    @Test("a liquid slab, an adsorbed shell and a gradient do not move the mask off the particle")
    func hostileBackgrounds() {
        let backgrounds: [(SimulatedBackground.Liquid, Double)] = [(.slab(thickness: 16), 0), (.shell(thickness: 4), 0), (.none, 0.8)]
        for (liquid, gradient) in backgrounds {
            var s = spec(atoms: 147, box: 112, snr: 6)
            s.background.liquid = liquid; s.background.liquidDensity = 0.15; s.background.gradient = gradient
            let p = TestParticle.make(s)
            let r = buildModel(from: p.map, options: ModelBuildingOptions(element: pt))
            let mask = r.mask!
            #expect(mask.method == .atomPeaks)
            #expect((mask.centre - centroid(p.positions)).length < 1.5)
            #expect(p.positions.allSatisfy { ($0 - mask.centre).length < mask.radius })
            let (recall, _) = TestSupport.recallPrecision(r.atoms.positions, p.positions)
            // A gradient is a plane the background removes whole (ParticleMask.background).
            #expect(recall >= (gradient > 0 ? 0.99 : 0.95), "recall \(recall) with \(liquid), gradient \(gradient)")
        }
    }

    @Test("a map of noise alone has no particle, and the run says so")
    func noiseAlone() {
        var s = spec(atoms: 55, box: 80, snr: 5)
        let p = TestParticle.make(s)
        var noise = p.map
        // The same noise without the particle: subtract the noise-free rendering.
        s.snr = nil
        let clean = TestParticle.make(s).map
        for q in noise.values.indices { noise.values[q] -= clean.values[q] }
        #expect(ParticleLocation.locate(in: noise, element: pt) == nil)
        let estimate = MaskEstimate.make(.automatic, for: noise, element: pt)
        #expect(estimate.mask?.method == .envelope)
        #expect(estimate.flags.contains { $0.code == .maskFallback && $0.remedy?.contains("mask-diameter") == true })
    }

    @Test("a given mask that cuts the particle is flagged with the diameter it needs")
    func givenMaskTooSmall() throws {
        var s = spec(atoms: 147, box: 112, snr: 6)
        s.background.offset = Vector3(6, 0, 0)
        let p = TestParticle.make(s)
        let estimate = MaskEstimate.make(.diameter(16), for: p.map, element: pt)
        let flag = try #require(estimate.flags.first { $0.code == .atomsOutsideMask })
        #expect(flag.reason.contains("outside the given 16 Å mask"))
        let fits = MaskEstimate.make(.diameter(36), for: p.map, element: pt)
        #expect(!fits.flags.contains { $0.code == .atomsOutsideMask })
    }

    @Test("two particles in one box: the larger is masked, the other is flagged")
    func twoParticles() throws {
        var a = spec(atoms: 147, box: 150, snr: 6)
        a.background.offset = Vector3(-13, 0, 0)
        var b = spec(atoms: 55, box: 150, snr: nil, seed: 9)
        b.background.offset = Vector3(15, 0, 0)
        var map = TestParticle.make(a).map
        let second = TestParticle.make(b)
        for q in map.values.indices { map.values[q] += second.map.values[q] }
        let first = TestParticle.make(a).positions
        let estimate = MaskEstimate.make(.automatic, for: map, element: pt)
        let mask = try #require(estimate.mask)
        #expect((mask.centre - centroid(first)).length < 1.5)
        #expect(estimate.flags.contains { $0.code == .severalClusters })
    }
}

@Suite("Plausible detections and detached atoms")
struct DetectionPlausibilityTests {
    let pt = TestSupport.platinum

    /// An fcc cube of sites, n per edge, lattice constant a, centred on the origin.
    func fccBlock(_ n: Int, a: Double) -> [Vector3] {
        TestParticle.fccSites(within: n).map { Vector3(Double($0.x), Double($0.y), Double($0.z)) * (a / 2) }
    }

    func location(of peaks: [Vector3]) -> ParticleLocation {
        ParticleLocation(peaks: peaks, particlePeaks: Array(peaks.indices), centre: .zero,
                         radius: peaks.map(\.length).max()!, noiseSD: 1, significance: 5, otherClusters: 0, largestOtherCluster: 0)
    }

    @Test("the particle's own atoms are plausible; isolated, outlying or too many atoms are not")
    func rejections() {
        let atoms = fccBlock(2, a: pt.latticeConstant)
        let test = DetectionPlausibility(location: location(of: atoms), radius: 8, element: pt)
        #expect(test.rejection(of: atoms) == nil)
        // Four atoms 4 Å or more apart inside the particle: each near a peak, none bonded.
        let sparse = [Vector3(-4, 0, 0), .zero, Vector3(4, 0, 0), Vector3(0, 4, 0)]
        #expect(test.rejection(of: sparse)?.contains("isolated") == true)
        // Atoms 20 Å from every peak.
        let far = atoms.map { $0 + Vector3(20, 0, 0) }
        #expect(test.rejection(of: atoms + far)?.contains("outside the particle") == true)
        // A sphere of radius 8 Å holds 4/3 π 8³ × 4 / a³ ≈ 142 fcc sites (a = 3.92 Å); the
        // 63-atom block three times over, slightly shifted, is 189 atoms.
        #expect(test.capacity == 142)
        let crowded = (0..<3).flatMap { s in atoms.map { $0 + Vector3(repeating: 0.2 * Double(s)) } }
        #expect(test.rejection(of: crowded)?.contains("more than the 142") == true)
    }

    @Test("a search whose every threshold includes atoms far outside the particle says so")
    func searchFlagsImplausibleAtoms() {
        // The particle, and 48 equally strong isolated atoms far from it: every threshold
        // finds them, so no threshold's atoms can be the particle's alone.
        var s = ParticleSpec(element: pt)
        s.atomCount = 55; s.box = 100; s.snr = nil; s.randomOrientation = false
        let p = TestParticle.make(s)
        let blobs = (0..<48).map { (k: Int) -> Vector3 in
            let x = Double(k % 4), y = Double((k / 4) % 4), z = Double(k / 16)
            return Vector3(2 + 4.5 * x, 2 + 4.5 * y, 2 + 4.5 * z)
        }
        let profile = AtomProfile.peng(pt, voxelSize: s.voxelSize)
        let M = MapSimulation.render(positions: p.positions + blobs, profile: profile, grid: p.map)
        let C = denoise(M, profile: profile)
        let t0 = otsuThreshold(C.values)
        let plain = ThresholdSearch.run(denoised: C, raw: M, profile: profile, otsu: t0)
        #expect(plain.flag == nil)
        let test = DetectionPlausibility(location: location(of: p.positions).recentred(), radius: 12, element: pt)
        let guarded = ThresholdSearch.run(denoised: C, raw: M, profile: profile, otsu: t0, plausibility: test)
        #expect(guarded.trials.allSatisfy { $0.rejection != nil })
        #expect(guarded.flag?.code == .thresholdSearch)
        #expect(guarded.choice.contains("no threshold gave plausible atoms"))
        // Without the blobs the same test passes the particle's own threshold.
        let M2 = MapSimulation.render(positions: p.positions, profile: profile, grid: p.map)
        let C2 = denoise(M2, profile: profile)
        let clean = ThresholdSearch.run(denoised: C2, raw: M2, profile: profile, otsu: otsuThreshold(C2.values), plausibility: test)
        #expect(clean.flag == nil)
        #expect(clean.trials.first { $0.threshold == clean.threshold }?.rejection == nil)
    }

    @Test("small clusters away from the particle are removed with their size; the particle stays")
    func detachedClusters() {
        let particle = fccBlock(2, a: pt.latticeConstant)             // 63 atoms
        let blob = [Vector3(30, 0, 0), Vector3(32.7, 0, 0), Vector3(31.3, 2.4, 0)]   // bonded to each other only
        let radius = 0.5 * pt.latticeConstant * (1 + 1 / 2.0.squareRoot())
        let (kept, removed) = removeDetachedClusters(particle + blob, radius: radius)
        #expect(kept == Array(particle.indices))
        #expect(removed.count == 3 && removed.allSatisfy { $0.rule == .detached && $0.value == 3 })
        #expect(removed[0].reason.contains("cluster of 3 atoms"))
        // Two particles of similar size both stay.
        let twin = particle.map { $0 + Vector3(40, 0, 0) }
        #expect(removeDetachedClusters(particle + twin, radius: radius).removed.isEmpty)
    }

    @Test("a lattice estimate from atoms far too close is held at the plausible bound and flagged")
    func latticeFallbackIsBounded() {
        // A disordered cluster (not one lattice) whose neighbours lie 1.9 Å apart, as atoms
        // found in noise can: a shrunken fcc block, shaken.
        var g = SeededGenerator(seed: 4)
        let points = (0..<64).flatMap { c -> [Vector3] in
            let cell = Vector3(Double(c % 4), Double((c / 4) % 4), Double(c / 16)) * (1.9 * 2.0.squareRoot())
            return [Vector3(0, 0, 0), Vector3(0.5, 0.5, 0), Vector3(0.5, 0, 0.5), Vector3(0, 0.5, 0.5)].map {
                cell + $0 * (1.9 * 2.0.squareRoot()) + Vector3(g.gaussian(), g.gaussian(), g.gaussian()) * 0.12
            }
        }
        let fit = LatticeFit.fit(points, bulkLatticeConstant: pt.latticeConstant)
        #expect(fit.method == .neighborShell)
        #expect(abs(fit.meanLatticeConstant - LatticeFit.plausibleScale.lowerBound * pt.latticeConstant) < 1e-9)
        // The CN radius then stays above the bulk bond: real first neighbours are never cut.
        #expect(fit.coordinationRadius > pt.bulkBondLength)
        let codes = fit.flags(element: pt).map(\.code)
        #expect(codes.contains(.latticeFallback) && codes.contains(.latticeOutOfRange))
    }
}

extension ParticleLocation {
    /// The same peaks, centred on their centroid.
    func recentred() -> ParticleLocation {
        let c = particlePeaks.reduce(Vector3.zero) { $0 + peaks[$1] } / Double(particlePeaks.count)
        return ParticleLocation(peaks: peaks, particlePeaks: particlePeaks, centre: c,
                                radius: particlePeaks.map { (peaks[$0] - c).length }.max()!, noiseSD: noiseSD,
                                significance: significance, otherClusters: otherClusters, largestOtherCluster: largestOtherCluster)
    }
}
