import Foundation
import Testing
@testable import NanoAtomsEngine

/// Refinement against the map: every atom fitted jointly, standard errors that match the true
/// errors, and edits where an atom is doubled or not there.
@Suite("Refinement against the map")
struct RefinementTests {
    static let pt = Element.named("Pt")!

    /// A simulated particle built with and without refinement, and its true atoms.
    static func built(snr: Double, seed: UInt64) -> (plain: ValidatedModel, refined: ValidatedModel, truth: SimulatedParticle) {
        var s = ParticleSpec(element: pt)
        s.atomCount = 309; s.snr = snr; s.seed = seed
        let p = TestParticle.make(s)
        var o = ModelBuildingOptions(element: pt)
        let plain = buildModel(from: p.map, options: o)
        o.refine = true
        return (plain, buildModel(from: p.map, options: o), p)
    }

    @Test("the standard errors of the positions and of U match the true errors; positions improve", arguments: [(6.0, UInt64(21)), (3.5, UInt64(22))])
    func calibratedErrors(snr: Double, seed: UInt64) throws {
        let (plain, refined, truth) = Self.built(snr: snr, seed: seed)
        let atoms = refined.atoms
        let f = try #require(refined.refinement)
        #expect(f.sweeps <= JointFitLimits.maximumSweeps)
        let m = matchAtoms(atoms.positions, truth.positions, tolerance: 0.8)
        #expect(m.pairs.count >= truth.positions.count * 9 / 10)
        let sx = try atoms.values(of: Statistic.named("sigma_x")!), sy = try atoms.values(of: Statistic.named("sigma_y")!)
        let sz = try atoms.values(of: Statistic.named("sigma_z")!)
        var z2 = 0.0, within2 = 0, count = 0
        for pair in m.pairs {
            let d = atoms.positions[pair.first] - truth.positions[pair.second]
            for (e, s) in [(d.x, sx[pair.first]), (d.y, sy[pair.first]), (d.z, sz[pair.first])] where s.isFinite && s > 0 {
                z2 += (e / s) * (e / s); count += 1
                if abs(e / s) < 2 { within2 += 1 }
            }
        }
        let rmsZ = (z2 / Double(count)).squareRoot()
        #expect((0.7...1.35).contains(rmsZ), "RMS of error/σ over coordinates: \(rmsZ)")
        #expect(Double(within2) / Double(count) >= 0.9)
        // U above the atom's own width: unbiased against the simulator's displacement.
        let u = try atoms.values(of: Statistic.named("u_refined")!), su = try atoms.values(of: Statistic.named("sigma_u")!)
        let zu = m.pairs.compactMap { p -> Double? in
            let s = su[p.first]
            return s.isFinite && s > 0 ? (u[p.first] - truth.displacements[p.second].isotropicEquivalent) / s : nil
        }
        #expect(abs(median(zu)) < 0.5, "median (U − true)/σ: \(median(zu))")
        // The joint fit moves the atoms towards the truth: RMSD no worse than the centres of mass.
        let before = matchAtoms(plain.atoms.positions, truth.positions, tolerance: 0.8).rmsd
        #expect(m.rmsd <= before * 1.02, "RMSD \(m.rmsd) refined, \(before) unrefined")
        // Occupancies are relative to the core atoms: about one.
        let occupancy = try atoms.values(of: Statistic.named("occupancy")!)
        #expect(abs(median(occupancy) - 1) < 0.15)
        // A refined model's statistics report the refined width as Uiso, the Gaussian fit's beside it.
        let st = try computeStatistics(of: refined)
        #expect(st.atoms[column: "uiso"]! == atoms[column: "u_total"]!)
        #expect(st.atoms[column: "uiso_gaussian"]!.filter(\.isFinite).count > atoms.count * 9 / 10)
        #expect(try computeStatistics(of: plain).atoms[column: "uiso_gaussian"] == nil)
        // The refined model's lattice is its own positions'; validation's is kept beside it.
        #expect(refined.lattice.fittedPositions == atoms.positions)
        #expect(f.validationLattice.meanLatticeConstant == plain.lattice.meanLatticeConstant)
        #expect(abs(refined.lattice.meanLatticeConstant / truth.latticeConstant - 1) < 0.003,
                "ā \(refined.lattice.meanLatticeConstant), true \(truth.latticeConstant)")
        #expect(st.coordinationRadius == refined.lattice.coordinationRadius)
    }

    @Test("an atom doubled is merged and an atom placed in empty space is removed, each with its reason")
    func editsFire() throws {
        let (plain, _, _) = Self.built(snr: 6, seed: 23)
        // The surface atom farthest from the centre, doubled 0.5 Å outward; and an atom 5 Å
        // outside the particle, where the map holds only noise.
        let c = plain.atoms.centroid
        let far = plain.atoms.positions.indices.max { (plain.atoms.positions[$0] - c).length < (plain.atoms.positions[$1] - c).length }!
        let outward = (plain.atoms.positions[far] - c) * (1 / (plain.atoms.positions[far] - c).length)
        let doubled = plain.atoms.positions[far] + outward * 0.5
        let empty = plain.atoms.positions[far] + outward * 5
        var positions = plain.atoms.positions + [doubled, empty]
        positions = positions.map { $0 }
        let regions = sphereRegions(positions, in: plain.raw, radius: plain.radius)
        let detection = AtomDetection(positions: positions, regions: regions, wasSplit: positions.map { _ in false })
        var o = plain.options
        o.refine = true
        let edited = ValidatedModel(detected: plain.detected, options: o, candidateCorrelations: plain.candidateCorrelations,
                                    lattice: plain.lattice, removals: plain.removals, detection: detection,
                                    atoms: AtomSet(element: Self.pt, positions: positions), reusable: ReusableResults(positions: positions),
                                    timings: plain.timings, flags: plain.flags)
        let refined = try refineModel(edited)
        let edits = try #require(refined.refinement).edits
        #expect(edits.contains { $0.kind == .merged && ($0.position - doubled).length < 1.0 && $0.reason.contains("fitted twice") }, "\(edits)")
        #expect(edits.contains { $0.kind == .removed && ($0.position - empty).length < 1.5 && $0.reason.contains("not significant") }, "\(edits)")
        #expect(abs(refined.atoms.count - plain.atoms.count) <= 1)
    }

    @Test("an atom missing from the model is added back at its residual peak, with its reason")
    func missingAtomAdded() throws {
        let (plain, _, _) = Self.built(snr: 6, seed: 24)
        // Take out an atom of the outer shell that is still well bonded (it has 12 − 3 neighbours
        // or more), so the map holds it and the model does not.
        let cn = coordinationNumbers(plain.atoms.positions, radius: plain.lattice.coordinationRadius)
        let c = plain.atoms.centroid
        let candidates = plain.atoms.positions.indices.filter { cn[$0] >= 8 && cn[$0] < 12 }
        let gone = try #require(candidates.max { (plain.atoms.positions[$0] - c).length < (plain.atoms.positions[$1] - c).length })
        let keep = plain.atoms.positions.indices.filter { $0 != gone }
        var o = plain.options
        o.refine = true
        let positions = keep.map { plain.atoms.positions[$0] }
        let missing = ValidatedModel(detected: plain.detected, options: o, candidateCorrelations: plain.candidateCorrelations,
                                     lattice: plain.lattice, removals: plain.removals, detection: plain.detection.subset(keep),
                                     atoms: plain.atoms.subset(keep), reusable: ReusableResults(positions: positions),
                                     timings: plain.timings, flags: plain.flags)
        let refined = try refineModel(missing)
        let edits = try #require(refined.refinement).edits
        let added = edits.filter { $0.kind == .added }
        #expect(added.contains { ($0.position - plain.atoms.positions[gone]).length < 0.8 && $0.reason.contains("residual peak") }, "\(edits)")
        #expect(refined.atoms.count == plain.atoms.count)
        #expect(refined.atoms.positions.contains { ($0 - plain.atoms.positions[gone]).length < 0.5 })
        // Nothing else is invented on a clean map.
        #expect(added.count == 1)
        // Every atom has its standard errors, also those far from the edit, which the fit
        // after it did not step.
        for name in ["sigma_position", "sigma_u", "sigma_occupancy"] {
            let sigma = try refined.atoms.values(of: Statistic.named(name)!)
            #expect(sigma.allSatisfy { $0.isFinite && $0 > 0 }, "\(name): \(sigma.filter { !$0.isFinite }.count) not finite")
        }
    }

    /// Spearman's rank correlation (ties share their mean rank).
    static func rankCorrelation(_ a: [Double], _ b: [Double]) -> Double {
        func ranks(_ v: [Double]) -> [Double] {
            let order = v.indices.sorted { v[$0] < v[$1] }
            var r = [Double](repeating: 0, count: v.count), k = 0
            while k < order.count {
                var m = k
                while m + 1 < order.count && v[order[m + 1]] == v[order[k]] { m += 1 }
                for q in k...m { r[order[q]] = Double(k + m) / 2 }
                k = m + 1
            }
            return r
        }
        let x = ranks(a), y = ranks(b), mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
        let sxy = zip(x, y).map { ($0 - mx) * ($1 - my) }.reduce(0, +)
        return sxy / (x.map { ($0 - mx) * ($0 - mx) }.reduce(0, +) * y.map { ($0 - my) * ($0 - my) }.reduce(0, +)).squareRoot()
    }

    /// A simulated Pt particle, the profile and window its fits use, and the joint fit of its
    /// true atoms.
    static func fittedParticle(atoms: Int, snr: Double, seed: UInt64) -> (SimulatedParticle, AtomProfile, Double, JointFit) {
        var s = ParticleSpec(element: pt)
        s.atomCount = atoms; s.snr = snr; s.seed = seed
        let p = TestParticle.make(s)
        let profile = AtomProfile.peng(pt, voxelSize: p.map.voxelSize)
        let window = JointFitLimits.windowFraction * pt.bulkBondLength
        return (p, profile, window, fitAtomsJointly(p.positions, map: p.map, profile: profile, windowRadius: window, threads: 2))
    }

    @Test("atoms fitted as whole atoms (amplitude held) rank U closer to the truth than with the amplitude free; their errors stay calibrated")
    func wholeAtoms() throws {
        let (p, profile, window, free) = Self.fittedParticle(atoms: 309, snr: 4, seed: 25)
        let core = coreAmplitude(free, radius: Self.pt.latticeConstant / 2 * (1 + 1 / 2.0.squareRoot()))
        let whole = NanoAtomsEngine.wholeAtoms(free, core: core)
        // At SNR 4 one atom's amplitude and width trade against each other: most atoms, not all,
        // are within half an atom of the core's.
        #expect(whole.filter { $0 }.count >= 309 * 8 / 10)
        let held = fitAtomsJointly(free.positions, map: p.map, profile: profile, windowRadius: window,
                                   startingAmplitudes: whole.indices.map { whole[$0] ? core : free.amplitudes[$0] },
                                   startingDisplacements: free.displacements, pinnedAmplitudes: whole, threads: 2)
        #expect(whole.indices.allSatisfy { !whole[$0] || held.amplitudes[$0] == core })
        let truth = p.displacements.map(\.isotropicEquivalent)
        let before = Self.rankCorrelation(free.displacements, truth), after = Self.rankCorrelation(held.displacements, truth)
        #expect(after > before + 0.05, "Spearman(U, truth): free \(before), held \(after)")
        // With the amplitude known, U is known better, and its error says so truthfully.
        #expect(median(held.displacementErrors) < 0.8 * median(free.displacementErrors))
        let z = held.displacements.indices.map { (held.displacements[$0] - truth[$0]) / held.displacementErrors[$0] }
        let rmsZ = (z.map { $0 * $0 }.reduce(0, +) / Double(z.count)).squareRoot()
        #expect((0.6...1.4).contains(rmsZ), "RMS of (U − true)/σ: \(rmsZ)")
    }

    @Test("on a fine grid an atom's width never falls below its narrowest term (fuzz crasher: a 0.1 Å map trapped the renderer)")
    func widthStaysAGaussian() {
        // The map holds an atom far sharper than the simulated one, so every step asks for a
        // smaller U; the narrowest Peng term on a 0.1 Å grid is a few thousandths of an Å².
        let profile = AtomProfile.peng(Self.pt, voxelSize: 0.1)
        // The premise: the narrowest term is narrower than U's general lower bound.
        #expect(profile.variances.min()! < -JointFitLimits.displacementRange.lowerBound)
        let sharp = AtomProfile(weights: [1], variances: [0.001])
        let grid = Volume(nx: 41, ny: 41, nz: 41, voxelSize: 0.1)
        let centre = Vector3(2, 2, 2)
        let map = MapSimulation.render(positions: [centre], profile: sharp, grid: grid, threads: 1)
        var u = 0.05
        for _ in 0..<40 {
            let s = atomStep(centre, 1, u, map: map, model: nil, background: 0, profile: profile, reach: 12, windowRadius: 1.2)
            u = s.displacement
        }
        #expect(u.isFinite && profile.variances.allSatisfy { $0 + u > 0 }, "U \(u), narrowest term \(profile.variances.min()!)")
        // And the renderer draws nothing, rather than trapping, for what is not an atom.
        let odd = MapSimulation.render(positions: [Vector3(.nan, 1, 1), centre, centre, Vector3(1e300, 0, 0)],
                                       displacements: [.isotropic(0), .isotropic(-1), .isotropic(.nan), .isotropic(0)],
                                       scales: [1, 1, 1, 1], profile: profile, grid: grid, threads: 1)
        #expect(odd.values.allSatisfy { $0.isFinite })
    }

    @Test("a fit continued after an edit, stepping only the atoms near it, ends where a fresh fit of every atom does")
    func continuedFit() throws {
        let (p, profile, window, first) = Self.fittedParticle(atoms: 147, snr: 6, seed: 31)
        // Remove the atom nearest the centre (an edit inside the particle).
        let centre = first.positions.reduce(.zero, +) / Double(first.positions.count)
        let gone = try #require(first.positions.indices.min { (first.positions[$0] - centre).length < (first.positions[$1] - centre).length })
        let kept = first.positions.indices.filter { $0 != gone }
        let positions = kept.map { first.positions[$0] }, amplitudes = kept.map { first.amplitudes[$0] }
        let displacements = kept.map { first.displacements[$0] }
        let fresh = fitAtomsJointly(positions, map: p.map, profile: profile, windowRadius: window,
                                    startingAmplitudes: amplitudes, startingDisplacements: displacements, threads: 2)
        var model = first.residual
        for v in 0..<model.count { model.values[v] = p.map.values[v] - Float(first.background) - first.residual.values[v] }
        MapSimulation.add(positions: [first.positions[gone]], displacements: [.isotropic(first.displacements[gone])],
                          scales: [-first.amplitudes[gone]], profile: profile, to: &model)
        let active = positions.map { ($0 - first.positions[gone]).length < 8 }
        #expect(active.contains(false))
        let continued = fitAtomsJointly(positions, map: p.map, profile: profile, windowRadius: window,
                                        startingAmplitudes: amplitudes, startingDisplacements: displacements,
                                        startingModel: model, startingBackground: first.background, initiallyActive: active, threads: 2)
        let worst = zip(fresh.positions, continued.positions).map { ($0 - $1).length }.max()!
        #expect(worst < 0.01, "largest position difference \(worst) Å")
        // The removed atom's density is left in the residual of both (a continued model that
        // still held it would leave nothing there).
        let c = p.map.voxelCoordinate(of: first.positions[gone])
        let v = p.map.index(Int(c.x.rounded()), Int(c.y.rounded()), Int(c.z.rounded()))
        let atomPeak = Float(first.amplitudes[gone] * zip(profile.weights, profile.variances).reduce(0.0) { $0 + $1.0 * pow(2 * Double.pi * ($1.1 + first.displacements[gone]), -1.5) })
        #expect(continued.residual.values[v] > 0.5 * atomPeak && abs(continued.residual.values[v] - fresh.residual.values[v]) < 0.02 * atomPeak)
        let residualPeak = continued.residual.values.max()!, freshPeak = fresh.residual.values.max()!
        #expect(abs(residualPeak - freshPeak) < 0.05 * freshPeak)
    }

    @Test("a continued fit that takes over the far atoms' measurements gives the standard errors of one that takes them again")
    func continuedFitMeasurements() throws {
        let (p, profile, window, first) = Self.fittedParticle(atoms: 147, snr: 6, seed: 32)
        #expect(first.measurements.normal.count == first.positions.count && first.measurements.normal.allSatisfy { $0.count == 25 })
        let centre = first.positions.reduce(.zero, +) / Double(first.positions.count)
        let gone = try #require(first.positions.indices.min { (first.positions[$0] - centre).length < (first.positions[$1] - centre).length })
        let kept = first.positions.indices.filter { $0 != gone }
        let positions = kept.map { first.positions[$0] }
        func continued(measurements: FitMeasurements?) -> JointFit {
            var model = first.residual
            for v in 0..<model.count { model.values[v] = p.map.values[v] - Float(first.background) - first.residual.values[v] }
            MapSimulation.add(positions: [first.positions[gone]], displacements: [.isotropic(first.displacements[gone])],
                              scales: [-first.amplitudes[gone]], profile: profile, to: &model)
            return fitAtomsJointly(positions, map: p.map, profile: profile, windowRadius: window,
                                   startingAmplitudes: kept.map { first.amplitudes[$0] }, startingDisplacements: kept.map { first.displacements[$0] },
                                   startingModel: model, startingBackground: first.background,
                                   initiallyActive: positions.map { ($0 - first.positions[gone]).length < 8 },
                                   startingMeasurements: measurements, threads: 2)
        }
        let measuredAgain = continued(measurements: nil)
        let takenOver = continued(measurements: first.measurements.subset(kept))
        #expect(takenOver.positions == measuredAgain.positions)
        #expect(abs(takenOver.noiseSD / measuredAgain.noiseSD - 1) < 1e-3)
        // Taken at the atom's last step in the first fit, before that step: within a few per cent
        // (measured: 1.7 % for the amplitude's, 2.2 % for U's at worst), far inside what a
        // standard error itself is known to.
        func worstRatio(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { abs($0 / $1 - 1) }.max()! }
        #expect(worstRatio(takenOver.positionErrors.map(\.x), measuredAgain.positionErrors.map(\.x)) < 0.03)
        #expect(worstRatio(takenOver.amplitudeSignificanceErrors, measuredAgain.amplitudeSignificanceErrors) < 0.03)
        #expect(worstRatio(takenOver.displacementErrors, measuredAgain.displacementErrors) < 0.03)
        // And they are taken over: the far atoms' errors are not those measured again.
        #expect(takenOver.displacementErrors != measuredAgain.displacementErrors)
        // Measurements of the wrong length are not taken over.
        let mismatched = continued(measurements: first.measurements)
        #expect(mismatched.positionErrors.map(\.x) == measuredAgain.positionErrors.map(\.x))
    }
}
