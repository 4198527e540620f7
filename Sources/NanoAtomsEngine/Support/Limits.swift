import Foundation

/// The bounds within which every number a user gives must lie, checked where the number
/// enters (a map's header, a command-line option, a command's argument, a model file).
///
/// They are physical, not arbitrary: a voxel of 0.005 Å or a box of a million voxels is a
/// broken header or a typing slip, and accepting it would mean reading past a map, asking for
/// terabytes or running for hours. Each error names the bound.
package enum Limits {
    /// Voxel sizes, Å. Atomic-resolution maps of metal particles are sampled at 0.3–0.4 Å
    /// (the paper's maps: 0.358 Å); a map coarser than 5 Å cannot resolve atoms, and one finer
    /// than 0.05 Å would need a thousand voxels across a single atom.
    package static let voxelSize: ClosedRange<Double> = 0.05...5
    /// Threads for the large steps.
    package static let threads: ClosedRange<Int> = 1...256
    /// The edge of a simulated box, voxels: 512³ floats are half a gigabyte.
    package static let simulatedBoxEdge: ClosedRange<Int> = 8...512
    /// Atoms of a simulated particle: 100,000 atoms is a 15 nm particle.
    package static let simulatedAtoms: ClosedRange<Int> = 1...100_000
    /// B-factors of a simulated atom, Å² (a mean-square displacement of 0.001–13 Å²).
    package static let bFactor: ClosedRange<Double> = 0.1...1000
    /// Mask diameters, Å: from a few atoms to a micrometre.
    package static let maskDiameter: ClosedRange<Double> = 2...10_000
    /// A neighbour cut-off of the user's, Å: from below any metal's bond to past its third
    /// shell (each atom then has about 150 neighbours; more only slows every statistic).
    package static let coordinationCutoff: ClosedRange<Double> = 1...8
    /// Coordinates, Å, of atoms read from a model and of a map's corner: a micrometre from
    /// the origin is far beyond any reconstruction's box.
    package static let coordinate: ClosedRange<Double> = -1e6...1e6
    /// Lengths along an axis (slab thickness, liquid thickness, offsets), Å.
    package static let length: ClosedRange<Double> = 0...10_000
    /// Signal-to-noise ratios of a simulation (median atom peak over the noise SD).
    package static let snr: ClosedRange<Double> = 0.01...1e6
    /// Lattice expansion of a simulation, as a fraction of bulk.
    package static let expansion: ClosedRange<Double> = -0.3...0.3
    /// RMS static disorder of a simulation's surface atoms, Å.
    package static let disorder: ClosedRange<Double> = 0...5
    /// Atoms in a model read from a file: a 30 nm particle holds about 800,000.
    package static let modelAtoms = 2_000_000
    /// The largest model or script file read, bytes: a PDB of a million atoms is 80 MB.
    package static let textFileBytes = 256 << 20
    /// The largest script, bytes: the lexer holds every character of it at once.
    package static let scriptBytes = 16 << 20
    /// Random seeds: whole numbers a Double holds exactly.
    package static let seed: ClosedRange<Double> = 0...9_007_199_254_740_992

    /// The most bytes one map may occupy: an eighth of this machine's memory, since model
    /// building holds the map, its denoised copy, masks and labels at once (about 1.7× the
    /// map at its peak) and the machine runs other things too.
    package static var mapBytes: Int { Int(min(ProcessInfo.processInfo.physicalMemory / 8, UInt64(Int.max / 2))) }

    /// Throws, before anything is allocated, when a map of `nx`·`ny`·`nz` float voxels would
    /// not fit within ``mapBytes``; `what` names the map ("map", "simulated box").
    package static func checkMapSize(_ nx: Int, _ ny: Int, _ nz: Int, what: String = "map", file: String? = nil) throws {
        let (xy, o1) = nx.multipliedReportingOverflow(by: ny)
        let (voxels, o2) = xy.multipliedReportingOverflow(by: nz)
        let bytes = Double(nx) * Double(ny) * Double(nz) * 4
        guard !o1, !o2, voxels.multipliedReportingOverflow(by: 4).overflow == false, voxels * 4 <= mapBytes else {
            throw EngineError("\(what) too large: \(nx)×\(ny)×\(nz) voxels need \(gigabytes(bytes)) of memory, limit \(gigabytes(Double(mapBytes))) (an eighth of this machine's memory)", file: file)
        }
    }

    /// `4.3 GB`, `12 MB`, `5000 bytes`.
    static func gigabytes(_ bytes: Double) -> String {
        if bytes >= 1e9 { return String(format: "%.1f GB", bytes / 1e9) }
        return bytes >= 1e6 ? String(format: "%.0f MB", bytes / 1e6) : String(format: "%.0f bytes", bytes)
    }

    /// Throws when `value` is not finite or not within `range`; the error names `what` and the range.
    package static func check(_ value: Double, in range: ClosedRange<Double>, _ what: String, unit: String = "", file: String? = nil) throws {
        guard value.isFinite, range.contains(value) else {
            let u = unit.isEmpty ? "" : " \(unit)"
            throw EngineError("\(what) must lie between \(formatBound(range.lowerBound)) and \(formatBound(range.upperBound))\(u), not \(formatBound(value))", file: file)
        }
    }

    /// A number as a user would write it: 0.05, 512, 1e+06, 12345.7.
    package static func formatBound(_ v: Double) -> String {
        if !v.isFinite { return "\(v)" }
        if v == v.rounded() && abs(v) < 1e7 { return String(Int(v)) }
        return String(format: abs(v) >= 1e-3 && abs(v) < 1e7 ? "%.6g" : "%g", v)
    }
}

/// `value` rounded toward zero and held within `range`; NaN gives the range's lower bound.
/// For turning a computed coordinate into a pixel or cell index, where a NaN or an overflow
/// from a garbage column must land at an edge rather than trap.
package func clampedInt(_ value: Double, _ range: ClosedRange<Int>) -> Int {
    guard !value.isNaN else { return range.lowerBound }
    if value <= Double(range.lowerBound) { return range.lowerBound }
    if value >= Double(range.upperBound) { return range.upperBound }
    return Int(value)
}
