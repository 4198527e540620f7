import Foundation

/// The rules validation applies after the correlation test.
package struct ValidationRules: Sendable {
    /// Which correlations are outliers.
    package var outlierRule: OutlierRule
    /// Atoms with fewer neighbours are removed; nil keeps them all (paper: 3).
    package var minimumCoordination: Int?
    /// Whether small clusters of atoms not bonded to the particle are removed.
    package var removeDetached: Bool

    /// The rules.
    package init(outlierRule: OutlierRule, minimumCoordination: Int?, removeDetached: Bool) {
        self.outlierRule = outlierRule
        self.minimumCoordination = minimumCoordination
        self.removeDetached = removeDetached
    }

    /// The rules of model-building options.
    package init(_ o: ModelBuildingOptions) {
        self.init(outlierRule: o.outlierRule, minimumCoordination: o.minimumCoordination, removeDetached: o.removeDetached)
    }
}

/// What validation decided: which candidates stay, which went and why, and the lattice whose CN
/// radius the rules used.
package struct ValidatedAtoms: Sendable {
    /// Each candidate's outlier-test correlation (sphere of 1.5 r_th).
    package let correlations: [Double]
    /// Indices of the candidates kept, in order.
    package let kept: [Int]
    /// The candidates removed, in the order the rules ran.
    package let removals: [Removal]
    /// The lattice of the CN rule: fitted to exactly the kept atoms when `latticeSettled`.
    package let lattice: LatticeFit
    /// Whether the lattice belongs to exactly the kept atoms.
    package let latticeSettled: Bool
    /// The map simulated from all candidates on the raw map's grid.
    package let simulated: Volume
    /// What should not be trusted: the lattice, detached atoms, an unsettled radius.
    package let flags: [QualityFlag]
}

/// Rounds of fitting the lattice and applying the CN rules before the radius must have settled
/// (on the shared and simulated maps it settles in one or two).
package let maximumLatticeRounds = 4

/// Validates candidate atoms at `positions` in the masked raw map `M`: the correlation test,
/// then the lattice and the CN rules (``removeByStructure(_:radius:minimumCoordination:removeDetached:)``).
///
/// One lattice per result: the lattice is refitted to the atoms the rules keep and the rules
/// applied again with its radius, until the kept atoms no longer change. The lattice then
/// belongs to exactly the validated atoms, and their statistics use it as it is. Both
/// ``buildModel(from:options:cancellation:)`` and the language's `validate` call this.
package func validateAtoms(_ positions: [Vector3], raw M: Volume, profile: AtomProfile, radius: Double, element: Element,
                          rules: ValidationRules, threads: Int, timer: inout StepTimings,
                          cancellation: Cancellation?) throws(Interrupted) -> ValidatedAtoms {
    let (S, correlations, kept1, removed1) = try timer.measure("validate", checking: cancellation) { () -> (Volume, [Double], [Int], [Removal]) in
        let S = MapSimulation.render(positions: positions, profile: profile, grid: M, threads: threads)
        let corr = perAtomCorrelations(raw: M, simulated: S, positions: positions,
                                       window: .sphere(radius: ModelBuildingOptions.outlierSphereRadius * radius), threads: threads)
        let (kept1, removed1) = removeCorrelationOutliers(corr, positions: positions, rule: rules.outlierRule)
        return (S, corr, kept1, removed1)
    }
    let pos1 = kept1.map { positions[$0] }
    func structuralRules(_ r: Double) -> (kept: [Int], removed: [Removal]) {
        removeByStructure(pos1, radius: r, minimumCoordination: rules.minimumCoordination, removeDetached: rules.removeDetached)
    }
    var lattice = try timer.measure("lattice_fit", checking: cancellation) {
        LatticeFit.fit(pos1, bulkLatticeConstant: element.latticeConstant, threads: threads)
    }
    var structural = try timer.measure("validate", checking: cancellation) { structuralRules(lattice.coordinationRadius) }
    var settled = false
    for _ in 0..<maximumLatticeRounds {
        // The lattice was fitted to exactly the atoms the rules keep: settled.
        if structural.kept.count == pos1.count { settled = true; break }
        let keptPositions = structural.kept.map { pos1[$0] }
        lattice = try timer.measure("lattice_fit", checking: cancellation) {
            LatticeFit.fit(keptPositions, bulkLatticeConstant: element.latticeConstant, threads: threads)
        }
        let again = try timer.measure("validate", checking: cancellation) { structuralRules(lattice.coordinationRadius) }
        // The refitted radius keeps the same atoms: the lattice belongs to them.
        if again.kept == structural.kept { settled = true; break }
        structural = again
    }
    var flags: [QualityFlag] = []
    if !settled {
        flags.append(QualityFlag(.latticeUnsettled,
            "the CN radius did not settle in \(maximumLatticeRounds) rounds of fitting the lattice and removing atoms: the lattice was fitted before the last removals",
            remedy: "the atoms the CN rule removes change the lattice; look at the removals and the mask"))
    }
    flags += lattice.flags(element: element)
    let removals = removed1 + structural.removed
    if let f = detachedAtomsFlag(removals) { flags.append(f) }
    return ValidatedAtoms(correlations: correlations, kept: structural.kept.map { kept1[$0] }, removals: removals,
                          lattice: lattice, latticeSettled: settled, simulated: S, flags: flags)
}
