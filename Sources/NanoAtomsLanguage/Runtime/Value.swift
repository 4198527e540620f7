import Foundation
import NanoAtomsEngine

/// A map in the language: the engine's `Volume`, the pipeline stage it is (if any), and
/// where it came from.
public struct VolumeValue: Sendable {
    /// What stage of the pipeline a map is.
    public enum Role: String, Sendable {
        /// As loaded or simulated.
        case raw
        /// Masked around the particle, background subtracted (the paper's map M).
        case masked
        /// The denoised map C.
        case denoised
    }
    /// The engine's stage a masked or denoised map is.
    public enum Stage: Sendable {
        /// ``maskParticle(_:options:cancellation:)``'s result.
        case masked(MaskedMap)
        /// ``denoiseMap(_:options:cancellation:)``'s result.
        case denoised(DenoisedMap)
    }
    /// The map.
    public var volume: Volume
    /// The stage, nil for a raw map.
    public var stage: Stage? = nil
    /// For a simulated map: the true atoms.
    public var truth: AtomSet? = nil
    /// Where it came from (a file name or "simulated").
    public var source: String

    /// A raw map.
    public init(volume: Volume, truth: AtomSet? = nil, source: String) {
        self.volume = volume
        self.truth = truth
        self.source = source
    }

    /// A stage's map, keeping where the raw map came from and its truth.
    init(_ stage: Stage, from raw: VolumeValue) {
        switch stage {
        case .masked(let m): volume = m.map
        case .denoised(let d): volume = d.map
        }
        self.stage = stage
        truth = raw.truth
        source = raw.source
    }

    /// Its role.
    public var role: Role {
        switch stage {
        case nil: return .raw
        case .masked: return .masked
        case .denoised: return .denoised
        }
    }
    /// The masking stage of a masked or denoised map.
    public var masked: MaskedMap? {
        switch stage {
        case nil: return nil
        case .masked(let m): return m
        case .denoised(let d): return d.masked
        }
    }
    /// The denoising stage of a denoised map.
    public var denoised: DenoisedMap? { if case .denoised(let d) = stage { return d }; return nil }
    /// For a masked map: the mask.
    public var mask: ParticleMask? { masked?.mask }
    /// For a masked map: the background subtracted.
    public var background: MapBackground { masked?.background ?? .flat(0) }
    /// For a masked map: what is doubtful about the map and its mask, with reasons.
    public var maskFlags: [QualityFlag] { masked?.flags ?? [] }
    /// For a masked map: the particle's atom-like peaks.
    public var location: ParticleLocation? { masked?.location }
}

/// A binarised denoised map: the engine's ``BinarizedMap`` (the threshold and how it was chosen).
public struct MaskValue: Sendable {
    /// The denoised map C it binarises.
    public var denoised: VolumeValue
    /// The stage.
    public var binarized: BinarizedMap

    /// The threshold on C.
    public var threshold: Float { binarized.threshold }
    /// The threshold search, nil when the threshold was given.
    public var search: ThresholdSearchResult? { binarized.options.threshold == nil ? binarized.search : nil }
    /// Components of C above the threshold.
    public var componentCount: Int { binarized.search.trials.first { $0.threshold == binarized.threshold }?.atoms ?? 0 }
}

/// Atoms in the language: an atom set, and the engine's pipeline stage it came from (candidates
/// or a validated model), which holds the maps, the voxels and what each step did.
public struct AtomsValue: Sendable {
    /// The engine's stage atoms found in a map are.
    public enum Stage: Sendable {
        /// Candidates: detected, split, with weak atoms added.
        case detected(DetectedAtoms)
        /// A validated model.
        case validated(ValidatedModel)
    }
    /// The atoms.
    public var atoms: AtomSet
    /// The stage, nil for atoms from a file or a table.
    public var stage: Stage? = nil
    /// Where the atoms came from.
    public var source: String
    /// For atoms without a stage (a selection, a table's atoms): the map they were measured
    /// in, with their voxels.
    public var evidence: MapEvidence? = nil

    /// Atoms from a file, a table or a simulation; `evidence` the map they were measured in.
    public init(atoms: AtomSet, source: String, evidence: MapEvidence? = nil) {
        self.atoms = atoms
        self.source = source
        self.evidence = evidence
    }

    /// The map these atoms were found or measured in, with each atom's voxels; nil for atoms
    /// from a file.
    public var mapEvidence: MapEvidence? {
        if let d = candidates {
            return MapEvidence(raw: d.binarized.denoised.masked.map, regions: d.detection.regions, profile: d.binarized.denoised.profile,
                               radius: d.options.atomRadius)
        }
        return evidence
    }

    /// The atoms at `indices`, in that order: their columns, and the map with their voxels.
    /// The pipeline stage is not kept: a selection is not a model to validate again.
    public func subset(_ indices: [Int], source: String) -> AtomsValue {
        AtomsValue(atoms: atoms.subset(indices), source: source, evidence: mapEvidence?.subset(indices))
    }

    /// A stage's atoms.
    init(_ stage: Stage, source: String) {
        switch stage {
        case .detected(let d): atoms = d.atoms
        case .validated(let r): atoms = r.atoms
        }
        self.stage = stage
        self.source = source
    }

    /// The stage as candidates for a further step (a validated model's atoms are candidates of
    /// a second validation).
    public var candidates: DetectedAtoms? {
        switch stage {
        case nil: return nil
        case .detected(let d): return d
        case .validated(let r): return r.asCandidates
        }
    }
    /// The validated model, when the atoms are one.
    public var validated: ValidatedModel? { if case .validated(let r) = stage { return r }; return nil }
    /// Each atom's voxels in `raw`, when the atoms were found in a map.
    public var regions: ComponentList? { candidates?.detection.regions }
    /// The masked raw map M the atoms were found in.
    public var raw: Volume? { candidates?.binarized.denoised.masked.map }
    /// The lattice validation fitted, if it ran.
    public var lattice: LatticeFit? { validated?.lattice }
    /// Atoms removed by validation.
    public var removals: [Removal] { validated?.removals ?? candidates?.removals ?? [] }
    /// What should not be trusted about these atoms, with reasons.
    public var flags: [QualityFlag] { validated?.flags ?? candidates?.flags ?? [] }
    /// The mask the atoms were found in: its size and how it was found, in one sentence.
    public var maskNote: String? {
        candidates.map { RunReport.maskSentence($0.binarized.denoised.masked.mask, location: $0.binarized.denoised.masked.location) }
    }
    /// What the steps so far did, in order ("components 561", "split 2", ...).
    public var history: [String] {
        guard let d = candidates else { return [] }
        let ran = Set(d.timings.steps.map(\.name))
        var h = ["components \(d.componentCount)"]
        if ran.contains("split") && d.options.split { h.append("split \(d.splitComponents)") }
        if ran.contains("recover") && d.options.recoverWeakAtoms { h.append("recovered \(d.recoveredAtoms)") }
        let removals = self.removals
        if !removals.isEmpty || validated != nil {
            func n(_ rule: Removal.Rule) -> Int { removals.filter { $0.rule == rule }.count }
            h.append("removed \(n(.lowCorrelation)) by correlation, \(n(.lowCoordination)) by CN, \(n(.detached)) detached")
        }
        if let f = validated?.refinement { h.append("refined, \(f.edits.count) edit\(f.edits.count == 1 ? "" : "s")") }
        return h
    }
}

/// A record: named fields in order (a Table 1 row, a list of options).
public struct RecordValue: Sendable {
    /// A title for `show`.
    public var title: String
    /// The fields.
    public var fields: [(String, Value)]
}

/// The type of a value, as argument declarations and error messages name it.
public enum ValueType: String, Sendable, CaseIterable {
    case number, string, bool, list, volume, mask, atoms, table, fit, comparison, record, none
    /// Accepts anything.
    case any

    /// How messages name it: in words, with the command that makes the less obvious ones.
    public var phrase: String {
        switch self {
        case .number: return "a number"
        case .string: return "text"
        case .bool: return "true or false"
        case .list: return "a list"
        case .volume: return "a map"
        case .mask: return "a binarised map (from binarize)"
        case .atoms: return "atoms"
        case .table: return "a table (from stats)"
        case .fit: return "a depth fit (from fitdepth)"
        case .comparison: return "a comparison (from compare)"
        case .record: return "a record"
        case .none: return "nothing"
        case .any: return "anything"
        }
    }
}

/// A value of the language.
public indirect enum Value: Sendable {
    case number(Double)
    case string(String)
    case bool(Bool)
    case list([Value])
    case volume(VolumeValue)
    case mask(MaskValue)
    case atoms(AtomsValue)
    case table(ParticleStatistics)
    case fit(DepthFit)
    case comparison(ModelComparison)
    case record(RecordValue)
    /// What a command that only acts (print, save) returns.
    case none

    /// The value's type.
    public var type: ValueType {
        switch self {
        case .number: return .number
        case .string: return .string
        case .bool: return .bool
        case .list: return .list
        case .volume: return .volume
        case .mask: return .mask
        case .atoms: return .atoms
        case .table: return .table
        case .fit: return .fit
        case .comparison: return .comparison
        case .record: return .record
        case .none: return .none
        }
    }

    /// The one-line summary the shell prints for a bare expression.
    public var summary: String {
        switch self {
        case .number(let v): return formatNumber(v)
        case .string(let s): return "\"\(s)\""
        case .bool(let b): return b ? "true" : "false"
        case .list(let l):
            return Value.listSummary(l, depth: 0)
        case .volume(let v):
            let st = VolumeStatistics(v.volume)
            return String(format: "volume %d×%d×%d, %.3f Å/voxel, %@ (%@), values %.3g … %.3g",
                          v.volume.nx, v.volume.ny, v.volume.nz, v.volume.voxelSize, v.role.rawValue, v.source,
                          Double(st.minimum), Double(st.maximum))
        case .mask(let m):
            var s = "mask: \(m.componentCount) components above \(formatNumber(Double(m.threshold)))"
            if let r = m.search {
                s += String(format: " (Otsu %.3f; %d thresholds tried, best correlation %.4f)", r.otsu, r.trials.count, r.correlation)
            }
            return s
        case .atoms(let a):
            var s = "atoms: \(a.atoms.count) \(a.atoms.element.symbol)"
            if !a.history.isEmpty { s += " (" + a.history.joined(separator: ", ") + ")" }
            if let note = a.maskNote { s += "\n  " + note }
            for f in a.flags { s += "\n  flag \(f)" }
            return s
        case .table(let t):
            let s = t.summary
            return String(format: "table: %d atoms × %d columns; median CN %.1f, core ratio %.2f, ā %.4f Å",
                          s.atoms, t.atoms.columnNames.count + 3, s.medianCN, s.coreRatio, t.lattice.meanLatticeConstant)
        case .fit(let f):
            return String(format: "fit of %@ against radial depth: δ = %.2f Å, m = %.3g, c = %.3g (rms %.3g, %d points)",
                          f.statistic, f.delta, f.slope, f.plateau, f.rmsResidual, f.depths.count)
        case .comparison(let c):
            let head = "comparison of \(c.firstName) (\(c.firstCount) atoms) with \(c.secondName) (\(c.secondCount)\(c.truth == .second ? ", the truth" : ""))" +
                (c.truth == .first ? " against the truth, \(c.firstName)" : "")
            if let missed = c.missedPercent, let extra = c.extraPercent {
                return head + String(format: ": common %.1f %%, displaced %.1f %%, missed %.1f %% of the true atoms, extra %.1f %% of the model's",
                                     c.commonPercent, c.displacedPercent, missed, extra)
            }
            return head + String(format: ": common %.1f %%, displaced %.1f %%, lost %.1f %% (in the first only), gained %.1f %% (in the second only)",
                                 c.commonPercent, c.displacedPercent, c.lostPercent, c.gainedPercent)
        case .record(let r):
            return r.title + ": " + r.fields.prefix(4).map { "\($0.0) \($0.1.summary)" }.joined(separator: ", ") + (r.fields.count > 4 ? ", …" : "")
        case .none:
            return "(nothing)"
        }
    }

    /// The names `value.member` accepts, for errors and completion.
    public var memberNames: [String] {
        switch self {
        case .volume: return ["nx", "ny", "nz", "apix", "min", "max", "mean", "sd", "truth", "role"]
        case .mask: return ["threshold", "otsu", "components", "correlation", "curve"]
        case .atoms(let a): return ["count", "removed", "x", "y", "z"] + a.atoms.columnNames
        case .table(let t): return t.table1.map(\.key) + ["count", "lattice_method", "cn_radius", "delta_cn_low", "delta_cn_high", "rdf_r", "rdf_g",
                                                           "atoms", "x", "y", "z"] + t.atoms.columnNames
        case .fit: return ["delta", "m", "c", "rms", "depths", "values", "statistic"]
        case .comparison(let c):
            return ["common", "displaced", "lost", "gained", "common_pct", "displaced_pct", "lost_pct", "gained_pct"] +
                (c.truth == nil ? [] : ["missed", "extra", "missed_pct", "extra_pct"])
        case .record(let r): return r.fields.map(\.0)
        case .list: return ["count"]
        default: return []
        }
    }

    /// `value.name`, or nil when the value has no such member.
    public func member(_ name: String) -> Value? {
        func column(_ atoms: AtomSet) -> Value? {
            switch name {
            case "x": return .list(atoms.positions.map { .number($0.x) })
            case "y": return .list(atoms.positions.map { .number($0.y) })
            case "z": return .list(atoms.positions.map { .number($0.z) })
            default: return atoms[column: name].map { .list($0.map { .number($0) }) }
            }
        }
        switch self {
        case .volume(let v):
            let st = VolumeStatistics(v.volume)
            switch name {
            case "nx": return .number(Double(v.volume.nx))
            case "ny": return .number(Double(v.volume.ny))
            case "nz": return .number(Double(v.volume.nz))
            case "apix": return .number(v.volume.voxelSize)
            case "min": return .number(Double(st.minimum))
            case "max": return .number(Double(st.maximum))
            case "mean": return .number(st.mean)
            case "sd": return .number(st.standardDeviation)
            case "role": return .string(v.role.rawValue)
            case "truth":
                return v.truth.map { .atoms(AtomsValue(atoms: $0, source: simulatedAtomsSource)) }
            default: return nil
            }
        case .mask(let m):
            switch name {
            case "threshold": return .number(Double(m.threshold))
            case "otsu": return .number(Double(m.binarized.search.otsu))
            case "components": return .number(Double(m.componentCount))
            case "correlation": return m.search.map { .number($0.correlation) }
            case "curve":
                return m.search.map { r in .list(r.trials.map { .list([.number(Double($0.threshold)), .number($0.correlation), .number(Double($0.atoms))]) }) }
            default: return nil
            }
        case .atoms(let a):
            switch name {
            case "count": return .number(Double(a.atoms.count))
            case "removed": return .number(Double(a.removals.count))
            default: return column(a.atoms)
            }
        case .table(let t):
            // A field of δ not measured is absent, as it was before any fit.
            if let f = t.table1Field(name) { return f.value.isFinite || !name.hasPrefix("delta") ? .number(f.value) : nil }
            switch name {
            case "count": return .number(Double(t.atoms.count))
            case "lattice_method": return .string(t.lattice.method.rawValue)
            case "cn_radius": return .number(t.coordinationRadius)
            case "delta_cn_low": return t.depthFitCN?.interval.map { .number($0.lowerBound) }
            case "delta_cn_high": return t.depthFitCN?.interval.map { .number($0.upperBound) }
            case "rdf_r": return .list(t.structure.radialDistribution.r.map { .number($0) })
            case "rdf_g": return .list(t.structure.radialDistribution.g.map { .number($0) })
            case "atoms":
                return .atoms(AtomsValue(atoms: t.atoms, source: "the table", evidence: t.map))
            default: return column(t.atoms)
            }
        case .fit(let f):
            switch name {
            case "delta": return .number(f.delta)
            case "m": return .number(f.slope)
            case "c": return .number(f.plateau)
            case "rms": return .number(f.rmsResidual)
            case "depths": return .list(f.depths.map { .number($0) })
            case "values": return .list(f.values.map { .number($0) })
            case "statistic": return .string(f.statistic)
            default: return nil
            }
        case .comparison(let c):
            switch name {
            case "common": return .number(Double(c.common.count))
            case "displaced": return .number(Double(c.displaced.count))
            case "lost": return .number(Double(c.lost.count))
            case "gained": return .number(Double(c.gained.count))
            case "common_pct": return .number(c.commonPercent)
            case "displaced_pct": return .number(c.displacedPercent)
            case "lost_pct": return .number(c.lostPercent)
            case "gained_pct": return .number(c.gainedPercent)
            case "missed": return c.missed.map { .number(Double($0.count)) }
            case "extra": return c.extra.map { .number(Double($0.count)) }
            case "missed_pct": return c.missedPercent.map { .number($0) }
            case "extra_pct": return c.extraPercent.map { .number($0) }
            default: return nil
            }
        case .record(let r):
            return r.fields.first { $0.0 == name }?.1
        case .list(let l):
            return name == "count" ? .number(Double(l.count)) : nil
        default:
            return nil
        }
    }
}

extension Value {
    /// Lists nested deeper than this print as their size only: a list that holds itself
    /// twice, 60 times over, would otherwise print 2⁶⁰ items.
    static let summaryDepth = 3

    /// `[1, 2, "a", … (12 items)]`: at most 8 items, nested lists to ``summaryDepth``.
    static func listSummary(_ l: [Value], depth: Int) -> String {
        guard depth < summaryDepth else { return "[… \(l.count) item\(l.count == 1 ? "" : "s")]" }
        let shown = l.prefix(8).map { v -> String in
            if case .list(let inner) = v { return listSummary(inner, depth: depth + 1) }
            return v.summary
        }.joined(separator: ", ")
        return "[" + shown + (l.count > 8 ? ", … (\(l.count) items)" : "") + "]"
    }
}

/// A number as the language prints it: integers without decimals, others to 6 significant digits.
package func formatNumber(_ v: Double) -> String {
    if !v.isFinite { return v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf") }
    if v == v.rounded() && abs(v) < 1e12 { return String(Int64(v)) }
    return String(format: "%.6g", v)
}

/// The source of a simulated map's true atoms (`map.truth`): `compare` takes them as the truth.
let simulatedAtomsSource = "the simulated atoms"
