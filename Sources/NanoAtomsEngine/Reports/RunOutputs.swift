import Foundation

/// The files `nanoatoms run` writes for one map: `model.pdb`, `atoms.csv` and `summary.json`.
public enum RunOutputs {
    /// The summary of a model-building run as JSON: counts, the threshold search, every
    /// removal with its reason, the mask and the timings.
    public static func summary(_ r: ModelBuildResult, mapName: String) -> JSONValue {
        let trials = r.search.trials.map { t in
            JSONValue.object([("threshold", .number(Double(t.threshold))), ("atoms", .number(Double(t.atoms))),
                              ("correlation", .finite(t.correlation))])
        }
        let removals = r.removals.map { m in
            JSONValue.object([("x", .number(m.position.x)), ("y", .number(m.position.y)), ("z", .number(m.position.z)),
                              ("rule", .string(m.rule.rawValue)), ("value", .finite(m.value)), ("limit", .finite(m.limit)),
                              ("reason", .string(m.reason))])
        }
        var mask: JSONValue = .null
        if let m = r.mask {
            mask = .object([("mode", .string(m.automatic ? "automatic" : "diameter")),
                            ("centre", .array([.number(m.centre.x), .number(m.centre.y), .number(m.centre.z)])),
                            ("diameter", .number(2 * m.radius)), ("edge", .number(m.edge)),
                            ("background_subtracted", .finite(r.backgroundLevel))])
        }
        let lattice: JSONValue = .object([
            ("method", .string(r.lattice.method.rawValue)),
            ("a", .array(r.lattice.latticeConstants.map { .finite($0) })),
            ("a_mean", .finite(r.lattice.meanLatticeConstant)),
            ("rms", .finite(r.lattice.rmsResidual)),
            ("cn_radius", .finite(r.lattice.coordinationRadius)),
            ("note", r.lattice.note.map { .string($0) } ?? .null),
        ])
        return .object([
            ("map", .string(mapName)),
            ("element", .string(r.options.element.symbol)),
            ("voxel_size", .number(r.raw.voxelSize)),
            ("box", .array([.number(Double(r.raw.nx)), .number(Double(r.raw.ny)), .number(Double(r.raw.nz))])),
            ("r_th", .number(r.radius)),
            ("natoms", .number(Double(r.atoms.count))),
            ("otsu_threshold", .number(Double(r.search.otsu))),
            ("threshold", .number(Double(r.search.threshold))),
            ("threshold_correlation", .finite(r.search.correlation)),
            ("threshold_search", .array(trials)),
            ("components", .number(Double(r.componentCount))),
            ("components_split", .number(Double(r.splitComponents))),
            ("weak_atoms_recovered", .number(Double(r.recoveredAtoms))),
            ("atoms_before_validation", .number(Double(r.candidates.count))),
            ("removed", .object([
                ("low_correlation", .number(Double(r.removedCount(.lowCorrelation)))),
                ("low_coordination", .number(Double(r.removedCount(.lowCoordination)))),
            ])),
            ("outlier_rule", .string(r.options.outlierRule.rawValue)),
            ("outlier_limit", .finite(r.options.outlierRule.limit(for: r.candidateCorrelations))),
            ("paper_rule_would_remove", .number(Double(r.candidateCorrelations.filter { $0 < OutlierRule.paper.limit(for: r.candidateCorrelations) }.count))),
            ("minimum_cn", r.options.minimumCoordination.map { .number(Double($0)) } ?? .null),
            ("removals", .array(removals)),
            ("lattice", lattice),
            ("mask", mask),
            ("timings", .object(r.timings.steps.map { ($0.name, .number(($0.seconds * 1e4).rounded() / 1e4)) })),
        ])
    }

    /// Writes `model.pdb`, `atoms.csv` and `summary.json` for `result` into `directory`
    /// (created if needed), each atomically.
    public static func write(_ result: ModelBuildResult, mapName: String, to directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw EngineError("cannot create the output folder", file: directory)
        }
        let atoms = result.atoms
        let records = atoms.positions.map { PDBFormat.Record(position: $0) }
        try writeAtomically(PDBFormat.text(element: atoms.element, records: records, box: result.raw.boxSize,
                                           remark: "nanoatoms model of \(mapName)"),
                            to: directory + "/model.pdb")
        try writeAtomically(CSVFormat.text(atoms), to: directory + "/atoms.csv")
        try writeAtomically(summary(result, mapName: mapName).serialized() + "\n", to: directory + "/summary.json")
    }
}
