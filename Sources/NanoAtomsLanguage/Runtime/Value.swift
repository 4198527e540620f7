import Foundation
import NanoAtomsEngine

/// A map in the language: the engine's `Volume` plus what it is and where it came from.
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
    /// The map.
    public var volume: Volume
    /// Its role.
    public var role: Role
    /// For a masked map: the mask and the background subtracted.
    public var mask: ParticleMask? = nil
    /// See `mask`.
    public var background = MapBackground.flat(0)
    /// For a masked map: what is doubtful about its mask, with reasons.
    public var maskFlags: [QualityFlag] = []
    /// For a masked map: the particle's atom-like peaks, which the threshold search's
    /// plausibility tests use.
    public var location: ParticleLocation? = nil
    /// For a denoised map: the masked raw map M it was computed from.
    public var raw: Volume? = nil
    /// For a simulated map: the true atoms.
    public var truth: AtomSet? = nil
    /// Where it came from (a file name or "simulated").
    public var source: String
}

/// A binarised denoised map: its components above a threshold, and how that threshold was chosen.
public struct MaskValue: Sendable {
    /// The denoised map C (with its raw map M).
    public var denoised: VolumeValue
    /// The threshold on C.
    public var threshold: Float
    /// The threshold search, when the threshold was searched for.
    public var search: ThresholdSearchResult?
    /// The 26-connected components of C > threshold.
    public var components: ComponentList
}

/// Atoms in the language: positions and columns, the voxels of each atom's density, the
/// maps they were found in, and what was done to them.
public struct AtomsValue: Sendable {
    /// The atoms.
    public var atoms: AtomSet
    /// Each atom's voxels in `raw`, when the atoms were found in a map.
    public var regions: ComponentList?
    /// The masked raw map M and the denoised map C the atoms were found in.
    public var raw: Volume?
    /// See `raw`.
    public var denoised: Volume?
    /// Otsu's threshold on C, if known (the lower bound of the weak-atom search).
    public var otsu: Float?
    /// Whether each atom came from a split.
    public var wasSplit: [Bool]
    /// What the steps so far did, in order ("components 561", "split 2", ...).
    public var history: [String] = []
    /// Atoms removed by validation.
    public var removals: [Removal] = []
    /// The lattice validation fitted, if it ran.
    public var lattice: LatticeFit?
    /// What should not be trusted about these atoms, with reasons.
    public var flags: [QualityFlag] = []
    /// The mask the atoms were found in: its size and how it was found, in one sentence.
    public var maskNote: String? = nil
    /// Where the atoms came from.
    public var source: String

    /// The detection (positions and voxels) for engine steps that need both.
    var detection: AtomDetection? {
        regions.map { AtomDetection(positions: atoms.positions, regions: $0, wasSplit: wasSplit) }
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
}

/// A value of the language.
public enum Value: Sendable {
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
            var s = "mask: \(m.components.count) components above \(formatNumber(Double(m.threshold)))"
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
            return String(format: "comparison: %d vs %d atoms; common %.1f %%, displaced %.1f %%, lost %.1f %%, gained %.1f %%",
                          c.firstCount, c.secondCount, c.commonPercent, c.displacedPercent, c.lostPercent, c.gainedPercent)
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
        case .table(let t): return ["natoms", "diameter", "median_cn", "mean_cn", "median_nn_bond", "median_neighbor_distance",
                                    "median_radial_strain", "core_ratio", "core_atoms", "a", "lattice_method", "cn_radius",
                                    "delta_cn", "delta_gcn", "delta_cn_low", "delta_cn_high", "rdf_r", "rdf_g", "atoms",
                                    "x", "y", "z"] + t.atoms.columnNames
        case .fit: return ["delta", "m", "c", "rms", "depths", "values", "statistic"]
        case .comparison: return ["common", "displaced", "lost", "gained", "common_pct", "displaced_pct", "lost_pct", "gained_pct"]
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
                return v.truth.map { .atoms(AtomsValue(atoms: $0, regions: nil, raw: nil, denoised: nil, otsu: nil,
                                                       wasSplit: $0.positions.map { _ in false }, source: "the simulated atoms")) }
            default: return nil
            }
        case .mask(let m):
            switch name {
            case "threshold": return .number(Double(m.threshold))
            case "otsu": return m.search.map { .number(Double($0.otsu)) }
            case "components": return .number(Double(m.components.count))
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
            let s = t.summary
            switch name {
            case "natoms": return .number(Double(s.atoms))
            case "diameter": return .number(s.diameter)
            case "median_cn": return .number(s.medianCN)
            case "mean_cn": return .number(s.meanCN)
            case "median_nn_bond": return .number(s.medianNNBond)
            case "median_neighbor_distance": return .number(s.medianNeighborDistance)
            case "median_radial_strain": return .number(s.medianRadialStrain)
            case "core_ratio": return .number(s.coreRatio)
            case "core_atoms": return .number(Double(s.coreAtoms))
            case "a": return .number(t.lattice.meanLatticeConstant)
            case "lattice_method": return .string(t.lattice.method.rawValue)
            case "cn_radius": return .number(t.coordinationRadius)
            case "delta_cn_low": return t.depthFitCN?.interval.map { .number($0.lowerBound) }
            case "delta_cn_high": return t.depthFitCN?.interval.map { .number($0.upperBound) }
            case "rdf_r": return .list(t.structure.radialDistribution.r.map { .number($0) })
            case "rdf_g": return .list(t.structure.radialDistribution.g.map { .number($0) })
            case "delta_cn": return t.depthFitCN.map { .number($0.delta) }
            case "delta_gcn": return t.depthFitGCN.map { .number($0.delta) }
            case "atoms":
                return .atoms(AtomsValue(atoms: t.atoms, regions: nil, raw: nil, denoised: nil, otsu: nil,
                                         wasSplit: t.atoms.positions.map { _ in false }, source: "the table"))
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
public func formatNumber(_ v: Double) -> String {
    if !v.isFinite { return v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf") }
    if v == v.rounded() && abs(v) < 1e12 { return String(Int64(v)) }
    return String(format: "%.6g", v)
}
