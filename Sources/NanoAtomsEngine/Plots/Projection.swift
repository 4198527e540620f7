import Foundation

/// Which of x, y, z a view looks along, and the two axes it shows.
package enum ViewAxis: Int, Sendable, CaseIterable {
    case x = 0, y = 1, z = 2

    /// The axis shown horizontally and the one shown vertically: looking along z shows x and y;
    /// along x shows y and z; along y shows x and z.
    package var shown: (horizontal: Int, vertical: Int) {
        switch self {
        case .x: return (1, 2)
        case .y: return (0, 2)
        case .z: return (0, 1)
        }
    }

    /// The axis's name ("x", "y", "z").
    package var name: String { ["x", "y", "z"][rawValue] }

    /// The axis named `name`, if any.
    package init?(name: String) {
        guard let i = ["x", "y", "z"].firstIndex(of: name.lowercased()) else { return nil }
        self.init(rawValue: i)
    }
}

/// A slab of a model: the atoms whose coordinate along `axis` lies within `thickness / 2` of `centre`.
package struct Slab: Sendable {
    /// The axis the slab is viewed along.
    package var axis: ViewAxis
    /// The slab's centre along that axis (Å).
    package var centre: Double
    /// Its thickness (Å).
    package var thickness: Double

    /// A slab of `thickness` through `centre` along `axis`.
    package init(axis: ViewAxis, centre: Double, thickness: Double) {
        self.axis = axis
        self.centre = centre
        self.thickness = thickness
    }

    /// The central slab of `positions`: through their centroid, one lattice constant thick by
    /// default, which holds two atomic layers of an fcc crystal seen along a cube axis.
    package static func central(_ positions: [Vector3], axis: ViewAxis, thickness: Double) -> Slab {
        let c = positions.isEmpty ? Vector3.zero : positions.reduce(Vector3.zero, +) / Double(positions.count)
        return Slab(axis: axis, centre: c[axis.rawValue], thickness: thickness)
    }

    /// Whether `p` lies in the slab.
    package func contains(_ p: Vector3) -> Bool { abs(p[axis.rawValue] - centre) <= thickness / 2 }
}
