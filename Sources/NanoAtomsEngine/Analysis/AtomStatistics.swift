/// Choices for the per-atom statistics.
public struct StatisticsOptions: Sendable {
    /// How `gcn` is normalised (the other normalisation is written as `gcn_paper` or `gcn_bulk`).
    public var gcnNormalization: GCNNormalization = .bulk
    /// Threads for the per-atom fits.
    public var threads = Parallel.availableCores
    /// A neighbour cut-off of the user's, Å, in place of the lattice's CN radius: a bond-cutoff
    /// analysis (CN, GCN, bonds and surface sites follow it). nil: the lattice's.
    public var coordinationRadius: Double? = nil
    /// The defaults.
    public init() {}
}

/// Everything the paper computes once the atoms are known.
public struct ParticleStatistics: Sendable {
    /// The atoms with one column per statistic (see ``computeStatistics(atoms:map:options:lattice:reusing:cancellation:)``).
    public let atoms: AtomSet
    /// The lattice the CN radius came from.
    public let lattice: LatticeFit
    /// Each atom's local structure and grain, and g(r).
    public let structure: ParticleStructure
    /// The paper's Table 1 row.
    public let summary: ParticleSummary
    /// The statistics of each element, most atoms first, for a particle of several (else empty).
    public let perElement: [ElementSummary]
    /// Eq. 1 fitted to CN (c in [10, 12]) and to GCN against radial depth.
    public let depthFitCN: DepthFit?
    /// See `depthFitCN`.
    public let depthFitGCN: DepthFit?
    /// The CN radius d and the displacement-fit radius, Å.
    public let coordinationRadius: Double
    /// See `coordinationRadius`.
    public let fitRadius: Double
    /// Whether the shape statistics (peak z, correlation, U) were measured in a map.
    public let hasShapeStatistics: Bool
    /// The map they were measured in, nil without: a selection of the table's atoms keeps
    /// it, so their statistics can be measured again.
    public var map: MapEvidence? = nil
    /// What should not be trusted in these statistics, each with its reason: the lattice
    /// (not one crystal, a fallback, far from bulk) and the penetration depths.
    public var flags: [QualityFlag] {
        lattice.flags(element: atoms.element) + [depthFitCN?.flag, depthFitGCN?.flag, uisoFlag, binsFlag, cutoffFlag].compactMap { $0 }
    }

    /// Says so when CN was counted within a cut-off of the user's: the core ratio (CN 12) and
    /// δ_CN (its plateau held to 10–12) assume the first shell.
    var cutoffFlag: QualityFlag? {
        guard coordinationRadius != lattice.coordinationRadius else { return nil }
        return QualityFlag(.userCutoff, String(format: "CN counted within %.2f Å (given), not the lattice's CN radius %.2f Å: the core ratio (CN 12) and δ_CN assume the first shell only",
                                               coordinationRadius, lattice.coordinationRadius),
                           remedy: "compare CN between cut-offs; read the core ratio and δ_CN from a table without cutoff=")
    }

    /// Fewer CN bins of ``minimumBinSize`` atoms than this make the binned statistics (paper
    /// Fig. 5) a comparison of too few points to show a trend.
    public static let minimumBins = 4

    /// Why the CN-binned statistics say little, or nil.
    var binsFlag: QualityFlag? {
        guard let cn = atoms[column: "cn"]?.map({ Int($0) }) else { return nil }
        let bins = binByCoordination(cn.map(Double.init), cn: cn)
        let binned = bins.reduce(0) { $0 + $1.count }
        guard bins.count < Self.minimumBins else { return nil }
        return QualityFlag(.fewBins, "only \(bins.count) CN bin\(bins.count == 1 ? "" : "s") hold \(minimumBinSize) atoms or more (\(binned) of \(atoms.count) atoms): the statistics binned by CN show no trend",
                           remedy: "a larger particle, or the per-atom columns themselves")
    }

    /// Atoms without a finite Uiso above this fraction make the Uiso statistics doubtful.
    public static let maximumUisoFailures = 0.1

    /// Why Uiso should not be read as it stands, or nil.
    var uisoFlag: QualityFlag? {
        guard hasShapeStatistics, let u = atoms[column: "uiso"], !u.isEmpty else { return nil }
        if perElement.count > 1 {
            return QualityFlag(.uisoUnreliable, "the atoms are of \(perElement.map(\.element.symbol).joined(separator: " and ")): each element's own scattering width is part of its fitted Uiso",
                               remedy: "compare Uiso within an element (the per-element medians), not across them")
        }
        let failed = u.filter { !$0.isFinite }.count
        if Double(failed) > Self.maximumUisoFailures * Double(u.count) {
            return QualityFlag(.uisoUnreliable, "\(failed) of \(u.count) atoms have no finite Uiso (their density does not fall off within the fitting radius)",
                               remedy: "a noisy or over-sharpened map; the Uiso of the rest is biased towards atoms that fit")
        }
        return nil
    }
    /// Time per step.
    public let timings: StepTimings
}

/// The map a model's shape statistics are measured in.
public struct MapEvidence: Sendable {
    /// The (masked) raw map M.
    public var raw: Volume
    /// Each atom's voxels in `raw`, when the atoms were found in it; nil for a model from
    /// elsewhere, whose atoms then own the voxels within `radius` of them.
    public var regions: ComponentList?
    /// The simulated atom.
    public var profile: AtomProfile
    /// r_th, Å: the validation window is a cube of side 3 r_th.
    public var radius: Double
    /// Each atom's whole width as U (Å²) from refinement against `raw`, when the atoms were
    /// refined: `uiso` then reports it, and the paper's per-atom Gaussian fit goes to
    /// `uiso_gaussian`.
    public var refinedWidths: [Double]?

    /// The evidence for atoms measured in `raw`.
    public init(raw: Volume, regions: ComponentList?, profile: AtomProfile, radius: Double, refinedWidths: [Double]? = nil) {
        self.raw = raw
        self.regions = regions
        self.profile = profile
        self.radius = radius
        self.refinedWidths = refinedWidths
    }

    /// The evidence for the atoms at `indices` of those it was for.
    public func subset(_ indices: [Int]) -> MapEvidence {
        MapEvidence(raw: raw, regions: regions?.subset(indices), profile: profile, radius: radius,
                    refinedWidths: refinedWidths.map { w in indices.map { w[$0] } })
    }
}

/// Computes the paper's per-atom statistics for `atoms`, whose densities are `regions`
/// (voxel lists) in the masked raw map `M`: ``computeStatistics(atoms:map:options:lattice:cancellation:)``
/// with that map.
package func computeStatistics(atoms input: AtomSet, regions: ComponentList, raw M: Volume, profile: AtomProfile,
                               radius: Double, options: StatisticsOptions = StatisticsOptions(),
                               reusing prior: ReusableResults? = nil) -> ParticleStatistics {
    do {
        return try computeStatistics(atoms: input, map: MapEvidence(raw: M, regions: regions, profile: profile, radius: radius),
                                     options: options, reusing: prior, cancellation: nil)
    } catch {
        preconditionFailure("statistics without a cancellation flag cannot be interrupted")
    }
}


/// Computes the paper's per-atom statistics for any atoms: position statistics from the
/// positions alone, shape statistics where `map` is given (NaN columns are not written without
/// one, so a table says by its columns what it holds).
///
/// Position statistics:
/// - `structure`: the local structure by polyhedral template matching, or a-CNA when asked
///   (OVITO's numbers: 0 other, 1 fcc, 2 hcp, 4 icosahedral); `structure_rmsd`: PTM's RMSD to
///   the best template (NaN for an atom with fewer than twelve neighbours within reach);
///   `grain`: the atom's fcc grain (0 for none, else 1 for the largest grain, …);
/// - `cn`: neighbours within the lattice's CN radius (``LatticeFit/coordinationRadius``);
///   `gcn`: Σ CN_k / 12 over the neighbours (`gcn_paper`: / the neighbours' maximum CN, the
///   paper's text); with `.maximumOfNeighbors` the two swap;
/// - `q4`, `q6`: Steinhardt bond order over the CN neighbours; `crystalline_bonds`: bonds whose
///   two atoms' q₆ vectors align (``BondOrder``);
/// - `site`: the surface site (``SurfaceSite``: 0 core, 1 vertex, 2 edge, 3 {100}, 4 {111}, 5 other
///   surface); `surface`: 1 for a surface atom;
/// - `nn_bond`: distance to the nearest atom (Å); `nn_bond_median`: median neighbour distance;
/// - `e_xx` … `e_yz`: the strain tensor ε in % against the ideal bulk template
///   (``strainTensors(_:lattice:bulkLatticeConstant:)``);
///   `radial_strain`: ε_RR = r̂ᵀ ε r̂ in %;
///   `radial_depth`: R_NP − R (Å).
///
/// Shape statistics (with a map):
/// - `peak_z`: (max − mean)/SD of M over the atom's voxels;
/// - `valid_corr`: Pearson(M, simulated map) in a cube of side 3 r_th;
/// - `uiso` (Å²), `u11`…`u23` (Σ, Å²), `u_maj ≥ u_med ≥ u_min` (its eigenvalues), `doi` = u_min/u_maj,
///   fitted within (3/4)·ā/(2√2); `aniso_valid` is 0 where the anisotropic fit was rejected
///   (its columns are then NaN). For refined atoms (`map.refinedWidths`) `uiso` is the refined
///   whole width, and the Gaussian fit's is `uiso_gaussian`.
///
/// `lattice` is the lattice to use (the one validation used, so the CN radius of its rule and of
/// the table agree); nil fits one.
public func computeStatistics(atoms input: AtomSet, map: MapEvidence?, options: StatisticsOptions = StatisticsOptions(),
                              lattice given: LatticeFit? = nil, cancellation: Cancellation?) throws(Interrupted) -> ParticleStatistics {
    try computeStatistics(atoms: input, map: map, options: options, lattice: given, reusing: nil, cancellation: cancellation)
}

/// ``computeStatistics(atoms:map:options:lattice:cancellation:)`` offered a lattice fit and a
/// simulated map already computed (by validation); they are used only if they belong to exactly
/// these positions. The cache stays inside the package: a caller sees only the results.
package func computeStatistics(atoms input: AtomSet, map: MapEvidence?, options: StatisticsOptions = StatisticsOptions(),
                               lattice given: LatticeFit? = nil, reusing prior: ReusableResults?,
                               cancellation: Cancellation?) throws(Interrupted) -> ParticleStatistics {
    var timer = StepTimings()
    var atoms = input
    let positions = atoms.positions
    let element = atoms.element
    let reusable = prior.flatMap { $0.positions == positions ? $0 : nil }
    let (lattice, own, structure) = try timer.measure("lattice_fit", checking: cancellation) { () -> (LatticeFit, LatticeFit, ParticleStructure) in
        let lattice = given ?? reusable?.lattice ?? LatticeFit.fit(positions, bulkLatticeConstant: element.latticeConstant, threads: options.threads)
        // A given lattice sets the CN radius (validation's, so the rule and the table agree);
        // sites, grains and structure must be these atoms' own. They are, unless validation
        // did not settle (flagged lattice_unsettled) or the atoms changed since.
        let own = lattice.fittedPositions == positions ? lattice
            : LatticeFit.fit(positions, bulkLatticeConstant: element.latticeConstant, threads: options.threads)
        return (lattice, own, own.structure ?? ParticleStructure(positions, bulkBond: element.bulkBondLength, threads: options.threads))
    }
    let d = options.coordinationRadius ?? lattice.coordinationRadius
    let (neighbors, depth) = try timer.measure("position_stats", checking: cancellation) { () -> ([[Int]], [Double]) in
        let neighbors = neighborLists(positions, radius: d)
        let other: GCNNormalization = options.gcnNormalization == .bulk ? .maximumOfNeighbors : .bulk
        atoms.setColumn("structure", structure.types.map { Double($0.rawValue) })
        if let m = structure.matches { atoms.setColumn("structure_rmsd", m.map { $0.rmsd.isFinite ? $0.rmsd : .nan }) }
        atoms.setColumn("grain", structure.grain.map { Double($0 + 1) })
        atoms.setColumn("cn", neighbors.map { Double($0.count) })
        atoms.setColumn("gcn", generalizedCoordination(neighbors: neighbors, normalization: options.gcnNormalization))
        atoms.setColumn(other == .bulk ? "gcn_bulk" : "gcn_paper", generalizedCoordination(neighbors: neighbors, normalization: other))
        let order = BondOrder(positions, neighbors: neighbors)
        atoms.setColumn("q4", order.q4)
        atoms.setColumn("q6", order.q6)
        atoms.setColumn("crystalline_bonds", order.crystallineBonds.map(Double.init))
        let sites = surfaceSites(positions, neighbors: neighbors)
        atoms.setColumn("site", sites.map { Double($0.rawValue) })
        atoms.setColumn("surface", sites.map { $0 == .core ? 0 : 1 })
        atoms.setColumn("nn_bond", nearestNeighborDistances(positions))
        atoms.setColumn("nn_bond_median", medianNeighborDistances(positions, radius: d))
        let strain = strainTensors(positions, lattice: own, bulkLatticeConstant: element.latticeConstant)
        atoms.setColumn("radial_strain", radialStrains(positions, tensors: strain).map { 100 * $0 })
        for (name, (p, q)) in zip(Statistic.strainTensor.map(\.key), [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)]) {
            atoms.setColumn(name, strain.map { $0.map { 100 * $0[p, q] } ?? .nan })
        }
        let depth = radialDepths(positions)
        atoms.setColumn("radial_depth", depth)
        return (neighbors, depth)
    }
    let fitRadius = displacementFitRadius(latticeConstant: lattice.meanLatticeConstant)
    if let map {
        let M = map.raw
        try timer.measure("shape_stats", checking: cancellation) {
            let regions = map.regions ?? sphereRegions(positions, in: M, radius: map.radius)
            atoms.setColumn("peak_z", peakZScores(map: M, regions: regions))
            // Several elements: each rendered with its own scattering.
            let S = atoms.elementsPresent.count > 1 ? MapSimulation.render(atoms: atoms, grid: M, threads: options.threads)
                : reusable?.simulated(with: map.profile, on: M)
                    ?? MapSimulation.render(positions: positions, profile: map.profile, grid: M, threads: options.threads)
            atoms.setColumn("valid_corr", perAtomCorrelations(raw: M, simulated: S, positions: positions,
                                                              window: .cube(side: 3 * map.radius), threads: options.threads))
            let fits = fitDisplacements(map: M, positions: positions, radius: fitRadius, threads: options.threads)
            if let w = map.refinedWidths, w.count == positions.count {
                atoms.setColumn("uiso", w)
                atoms.setColumn("uiso_gaussian", fits.map(\.uiso))
            } else {
                atoms.setColumn("uiso", fits.map(\.uiso))
            }
            for (name, (p, q)) in zip(["u11", "u22", "u33", "u12", "u13", "u23"], [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)]) {
                atoms.setColumn(name, fits.map { $0.tensor?[p, q] ?? .nan })
            }
            atoms.setColumn("u_maj", fits.map { $0.principal[0] })
            atoms.setColumn("u_med", fits.map { $0.principal[1] })
            atoms.setColumn("u_min", fits.map { $0.principal[2] })
            atoms.setColumn("doi", fits.map(\.degreeOfIsotropy))
            atoms.setColumn("aniso_valid", fits.map { $0.anisotropicValid ? 1 : 0 })
        }
    }
    let cn = neighbors.map(\.count)
    let (fitCN, fitGCN) = try timer.measure("depth_fit", checking: cancellation) { () -> (DepthFit?, DepthFit?) in
        let cnValues = cn.map(Double.init), gcn = atoms[column: "gcn"]!
        return (fitPenetrationDepth(depths: depth, values: cnValues, statistic: "cn", plateauBounds: coordinationPlateauBounds)?
                    .withBootstrapInterval(depths: depth, values: cnValues, threads: options.threads),
                fitPenetrationDepth(depths: depth, values: gcn, statistic: "gcn")?
                    .withBootstrapInterval(depths: depth, values: gcn, threads: options.threads))
    }
    let summary = ParticleSummary(
        atoms: atoms.count, diameter: maximumPairDistance(positions),
        medianCN: median(cn.map(Double.init)), meanCN: Double(cn.reduce(0, +)) / Double(max(1, cn.count)),
        medianNNBond: median(atoms[column: "nn_bond"]!.filter(\.isFinite)),
        medianNeighborDistance: median(atoms[column: "nn_bond_median"]!.filter(\.isFinite)),
        medianRadialStrain: median(atoms[column: "radial_strain"]!.filter(\.isFinite)),
        coreAtoms: cn.filter { $0 == bulkFCCCoordination }.count)
    var perElement: [ElementSummary] = []
    let present = atoms.elementsPresent
    if present.count > 1 {
        let each = atoms.elements
        let site = atoms[column: "surface"]!, nn = atoms[column: "nn_bond"]!, uiso = atoms[column: "uiso"]
        for e in present {
            let mine = each.indices.filter { each[$0] == e }
            perElement.append(ElementSummary(element: e, atoms: mine.count, medianCN: median(mine.map { Double(cn[$0]) }),
                                             surfaceFraction: Double(mine.filter { site[$0] == 1 }.count) / Double(max(1, mine.count)),
                                             medianNNBond: median(mine.map { nn[$0] }.filter(\.isFinite)),
                                             medianUiso: uiso.map { u in median(mine.map { u[$0] }.filter(\.isFinite)) } ?? .nan))
        }
    }
    return ParticleStatistics(atoms: atoms, lattice: lattice, structure: structure, summary: summary, perElement: perElement, depthFitCN: fitCN, depthFitGCN: fitGCN,
                              coordinationRadius: d, fitRadius: fitRadius, hasShapeStatistics: map != nil, map: map, timings: timer)
}

/// The statistics of a built model: its atoms in its masked map, with the lattice whose CN
/// radius validation used (so the CN rule and the table agree) and the work validation did.
public func computeStatistics(of r: ValidatedModel, options: StatisticsOptions = StatisticsOptions(),
                              cancellation: Cancellation? = nil) throws(Interrupted) -> ParticleStatistics {
    let widths = r.refinement == nil ? nil : r.atoms[column: "u_total"]
    return try computeStatistics(atoms: r.atoms, map: MapEvidence(raw: r.raw, regions: r.detection.regions, profile: r.profile, radius: r.radius,
                                                                  refinedWidths: widths),
                                 options: options, lattice: r.lattice, reusing: r.reusable, cancellation: cancellation)
}

/// The flags of a run: model building's, then those of its statistics that building did not
/// raise already.
public func runFlags(_ r: ValidatedModel, _ st: ParticleStatistics?) -> [QualityFlag] {
    r.flags + (st?.flags ?? []).filter { !r.flags.contains($0) }
}

/// The voxels within `radius` of each atom, for a model whose atoms were not found in `map`
/// (an atom outside the map owns none).
package func sphereRegions(_ positions: [Vector3], in map: Volume, radius: Double) -> ComponentList {
    var voxels: [Int32] = [], start: [Int32] = [0]
    let r = radius / map.voxelSize, r2 = r * r
    for p in positions {
        let c = map.voxelCoordinate(of: p)
        let lo = SIMD3<Int>(max(0, Int((c.x - r).rounded(.up))), max(0, Int((c.y - r).rounded(.up))), max(0, Int((c.z - r).rounded(.up))))
        let hi = SIMD3<Int>(min(map.nx - 1, Int((c.x + r).rounded(.down))), min(map.ny - 1, Int((c.y + r).rounded(.down))),
                            min(map.nz - 1, Int((c.z + r).rounded(.down))))
        if lo.x <= hi.x && lo.y <= hi.y && lo.z <= hi.z {
            for k in lo.z...hi.z { for j in lo.y...hi.y { for i in lo.x...hi.x {
                let d = SIMD3<Double>(Double(i), Double(j), Double(k)) - SIMD3(c.x, c.y, c.z)
                if (d * d).sum() <= r2 { voxels.append(Int32(i + map.nx * (j + map.ny * k))) }
            } } }
        }
        start.append(Int32(voxels.count))
    }
    return ComponentList(voxels: voxels, start: start)
}
