import Foundation

/// The kind of site an atom occupies on a close-packed particle, from its CN and the geometry
/// of its neighbours.
public enum SurfaceSite: Int, Sendable, CaseIterable {
    /// Inside the particle: 10 or more neighbours spread all round.
    case core = 0
    /// A corner or an adatom: CN ≤ 6.
    case vertex = 1
    /// An edge between two facets: CN 7.
    case edge = 2
    /// A {100} terrace: CN 8 with four neighbours in the surface plane (a square).
    case face100 = 3
    /// A {111} terrace: CN 9 with six neighbours in the surface plane (a hexagon).
    case face111 = 4
    /// Any other surface site: steps, kinks, re-entrant and disordered sites.
    case otherSurface = 5

    /// The name used in tables and the report.
    public var name: String {
        switch self {
        case .core: return "core"
        case .vertex: return "vertex"
        case .edge: return "edge"
        case .face100: return "{100}"
        case .face111: return "{111}"
        case .otherSurface: return "other surface"
        }
    }
}

/// Length of the sum of unit bond vectors above which an atom with 10 or more neighbours is
/// still at the surface: a site missing one neighbour in the bulk sums to 1, a CN-10 step site
/// with both missing neighbours on one side to about 1.7.
let surfaceAsymmetry = 1.5
/// A neighbour lies in the surface plane when its bond makes less than this cosine with the
/// outward normal: in-plane bonds are at 90°, bonds to the layer below at 125° ({111}) or 135° ({100}).
let inPlaneCosine = 0.3

/// The site of each atom from its first-shell neighbours (`neighbors`, the CN lists).
///
/// The outward normal is minus the sum of the unit bonds. Surface atoms are those with CN ≤ 9,
/// or with an unbalanced shell (|Σ r̂| ≥ 1.5). Vertices have CN ≤ 6, edges 7; a CN-8 site with
/// four neighbours in the plane normal to the outward direction is {100}, a CN-9 site with six
/// is {111}; any other surface atom is `otherSurface`.
package func surfaceSites(_ positions: [Vector3], neighbors: [[Int]]) -> [SurfaceSite] {
    positions.indices.map { i in
        let list = neighbors[i]
        var sum = Vector3.zero
        var units: [Vector3] = []
        units.reserveCapacity(list.count)
        for j in list {
            let d = positions[j] - positions[i]
            let len = d.length
            guard len > 0 else { continue }
            units.append(d / len)
            sum += d / len
        }
        let cn = list.count
        if cn >= 10 && sum.length < surfaceAsymmetry { return .core }
        if cn <= 6 { return .vertex }
        if cn == 7 { return .edge }
        guard sum.length > 0 else { return .otherSurface }
        let normal = -sum / sum.length
        let inPlane = units.filter { abs($0.dot(normal)) < inPlaneCosine }.count
        if cn == 8 && inPlane == 4 { return .face100 }
        if cn == 9 && inPlane == 6 { return .face111 }
        return .otherSurface
    }
}
