/// Choices for the per-atom statistics.
public struct StatisticsOptions: Sendable {
    /// How `gcn` is normalised (the other normalisation is written as `gcn_paper` or `gcn_bulk`).
    public var gcnNormalization: GCNNormalization = .bulk
    /// Threads for the per-atom fits.
    public var threads = Parallel.availableCores
    /// The defaults.
    public init() {}
}

/// Everything the paper computes once the atoms are known.
public struct ParticleStatistics: Sendable {
    /// The atoms with one column per statistic (see ``computeStatistics(atoms:regions:raw:profile:radius:options:)``).
    public let atoms: AtomSet
    /// The lattice fitted to the final atoms.
    public let lattice: LatticeFit
    /// The paper's Table 1 row.
    public let summary: ParticleSummary
    /// Eq. 1 fitted to CN (c in [10, 12]) and to GCN against radial depth.
    public let depthFitCN: DepthFit?
    /// See `depthFitCN`.
    public let depthFitGCN: DepthFit?
    /// The CN radius d and the displacement-fit radius, Å.
    public let coordinationRadius: Double
    /// See `coordinationRadius`.
    public let fitRadius: Double
    /// Time per step.
    public let timings: StepTimings
}

/// Statistics columns written for every atom, in order (units in the doc comment of
/// ``computeStatistics(atoms:regions:raw:profile:radius:options:)``).
public let statisticsColumns = ["cn", "gcn", "nn_bond", "radial_strain", "radial_depth", "peak_z", "valid_corr", "uiso",
                                "u11", "u22", "u33", "u12", "u13", "u23", "u_maj", "u_med", "u_min", "doi"]

/// Computes the paper's per-atom statistics for `atoms`, whose densities are `regions`
/// (voxel lists) in the masked raw map `M`:
///
/// - `cn`: neighbours within d = (ā/2)(1 + 1/√2), ā from the lattice fit;
///   `gcn`: Σ CN_k / 12 over the neighbours (`gcn_paper`: / the neighbours' maximum CN, the
///   paper's text); with `.maximumOfNeighbors` the two swap;
/// - `nn_bond`: distance to the nearest atom (Å); `nn_bond_median`: median neighbour distance;
/// - `radial_strain`: ε_RR in % (see ``radialStrains(_:lattice:bulkLatticeConstant:)``);
///   `radial_depth`: R_NP − R (Å);
/// - `peak_z`: (max − mean)/SD of M over the atom's voxels;
/// - `valid_corr`: Pearson(M, simulated map) in a cube of side 3 r_th;
/// - `uiso` (Å²), `u11`…`u23` (Σ, Å²), `u_maj ≥ u_med ≥ u_min` (its eigenvalues), `doi` = u_min/u_maj,
///   fitted within (3/4)·ā/(2√2); `aniso_valid` is 0 where the anisotropic fit was rejected
///   (its columns are then NaN).
///
/// `reusing` offers a lattice fit and a simulated map already computed (by ``buildModel(from:options:)``);
/// they are used only if they belong to exactly these positions.
public func computeStatistics(atoms input: AtomSet, regions: ComponentList, raw M: Volume, profile: AtomProfile,
                              radius: Double, options: StatisticsOptions = StatisticsOptions(),
                              reusing prior: ReusableResults? = nil) -> ParticleStatistics {
    do {
        return try computeStatistics(atoms: input, regions: regions, raw: M, profile: profile, radius: radius, options: options,
                                     reusing: prior, cancellation: nil)
    } catch {
        preconditionFailure("statistics without a cancellation flag cannot be interrupted")
    }
}

/// ``computeStatistics(atoms:regions:raw:profile:radius:options:reusing:)`` that stops with
/// ``Interrupted`` between two of its steps once `cancellation` is requested (Ctrl-C).
public func computeStatistics(atoms input: AtomSet, regions: ComponentList, raw M: Volume, profile: AtomProfile,
                              radius: Double, options: StatisticsOptions = StatisticsOptions(),
                              reusing prior: ReusableResults? = nil, cancellation: Cancellation?) throws(Interrupted) -> ParticleStatistics {
    var timer = StepTimings()
    var atoms = input
    let positions = atoms.positions
    let element = atoms.element
    let reusable = prior.flatMap { $0.positions == positions ? $0 : nil }
    let lattice = try timer.measure("lattice_fit", checking: cancellation) {
        reusable?.lattice ?? LatticeFit.fit(positions, bulkLatticeConstant: element.latticeConstant)
    }
    let d = lattice.coordinationRadius
    let (neighbors, depth) = try timer.measure("position_stats", checking: cancellation) { () -> ([[Int]], [Double]) in
        let neighbors = neighborLists(positions, radius: d)
        let other: GCNNormalization = options.gcnNormalization == .bulk ? .maximumOfNeighbors : .bulk
        atoms.setColumn("cn", neighbors.map { Double($0.count) })
        atoms.setColumn("gcn", generalizedCoordination(neighbors: neighbors, normalization: options.gcnNormalization))
        atoms.setColumn(other == .bulk ? "gcn_bulk" : "gcn_paper", generalizedCoordination(neighbors: neighbors, normalization: other))
        atoms.setColumn("nn_bond", nearestNeighborDistances(positions))
        atoms.setColumn("nn_bond_median", medianNeighborDistances(positions, radius: d))
        atoms.setColumn("radial_strain", radialStrains(positions, lattice: lattice, bulkLatticeConstant: element.latticeConstant).map { 100 * $0 })
        let depth = radialDepths(positions)
        atoms.setColumn("radial_depth", depth)
        return (neighbors, depth)
    }
    let fitRadius = displacementFitRadius(latticeConstant: lattice.meanLatticeConstant)
    try timer.measure("shape_stats", checking: cancellation) {
        atoms.setColumn("peak_z", peakZScores(map: M, regions: regions))
        let S = reusable?.simulated(with: profile, on: M)
            ?? MapSimulation.render(positions: positions, profile: profile, grid: M, threads: options.threads)
        atoms.setColumn("valid_corr", perAtomCorrelations(raw: M, simulated: S, positions: positions,
                                                          window: .cube(side: 3 * radius), threads: options.threads))
        let fits = fitDisplacements(map: M, positions: positions, radius: fitRadius, threads: options.threads)
        atoms.setColumn("uiso", fits.map(\.uiso))
        for (name, (p, q)) in zip(["u11", "u22", "u33", "u12", "u13", "u23"], [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)]) {
            atoms.setColumn(name, fits.map { $0.tensor?[p, q] ?? .nan })
        }
        atoms.setColumn("u_maj", fits.map { $0.principal[0] })
        atoms.setColumn("u_med", fits.map { $0.principal[1] })
        atoms.setColumn("u_min", fits.map { $0.principal[2] })
        atoms.setColumn("doi", fits.map(\.degreeOfIsotropy))
        atoms.setColumn("aniso_valid", fits.map { $0.anisotropicValid ? 1 : 0 })
    }
    let cn = neighbors.map(\.count)
    let (fitCN, fitGCN) = try timer.measure("depth_fit", checking: cancellation) { () -> (DepthFit?, DepthFit?) in
        (fitPenetrationDepth(depths: depth, values: cn.map(Double.init), statistic: "cn", plateauBounds: coordinationPlateauBounds),
         fitPenetrationDepth(depths: depth, values: atoms[column: "gcn"]!, statistic: "gcn"))
    }
    let summary = ParticleSummary(
        atoms: atoms.count, diameter: maximumPairDistance(positions),
        medianCN: median(cn.map(Double.init)), meanCN: Double(cn.reduce(0, +)) / Double(max(1, cn.count)),
        medianNNBond: median(atoms[column: "nn_bond"]!.filter(\.isFinite)),
        medianNeighborDistance: median(atoms[column: "nn_bond_median"]!.filter(\.isFinite)),
        medianRadialStrain: median(atoms[column: "radial_strain"]!.filter(\.isFinite)),
        coreAtoms: cn.filter { $0 == bulkFCCCoordination }.count)
    return ParticleStatistics(atoms: atoms, lattice: lattice, summary: summary, depthFitCN: fitCN, depthFitGCN: fitGCN,
                              coordinationRadius: d, fitRadius: fitRadius, timings: timer)
}
