/// A 3D density map on a cubic grid: dimensions, voxel size, position in space and
/// flat `Float` storage with x varying fastest.
///
/// The centre of voxel (i, j, k) lies at `origin + (i, j, k) · voxelSize` in Å.
/// Readers convert any file's axis order and start indices to this one convention.
public struct Volume: Sendable, Equatable {
    /// Voxels along x, y and z.
    public let nx: Int, ny: Int, nz: Int
    /// Edge of one voxel, Å.
    public var voxelSize: Double
    /// Position of the centre of voxel (0, 0, 0), Å.
    public var origin: Vector3
    /// Voxel values, index `i + nx·(j + ny·k)`.
    public var values: [Float]
    /// Flags the map carries from where it came from (``ExtremeValues`` clipped voxels on
    /// reading); model building passes them on to its result.
    public var flags: [QualityFlag] = []
    /// Whether ``ExtremeValues/condition(_:)`` has run on these values (so it need not again).
    public var extremeValuesChecked = false

    /// A map of the given size filled with `fill`.
    public init(nx: Int, ny: Int, nz: Int, voxelSize: Double, origin: Vector3 = .zero, fill: Float = 0) {
        precondition(nx > 0 && ny > 0 && nz > 0 && voxelSize > 0)
        self.nx = nx; self.ny = ny; self.nz = nz
        self.voxelSize = voxelSize
        self.origin = origin
        values = LargeArrays.filled(fill, count: nx * ny * nz)
    }

    /// A map with the given values (x fastest).
    public init(nx: Int, ny: Int, nz: Int, voxelSize: Double, origin: Vector3 = .zero, values: [Float]) {
        precondition(values.count == nx * ny * nz && voxelSize > 0)
        self.nx = nx; self.ny = ny; self.nz = nz
        self.voxelSize = voxelSize
        self.origin = origin
        self.values = values
    }

    /// An empty map on the same grid as `other`.
    public init(sameGridAs other: Volume, fill: Float = 0) {
        self.init(nx: other.nx, ny: other.ny, nz: other.nz, voxelSize: other.voxelSize, origin: other.origin, fill: fill)
    }

    /// The voxel indices, along an axis of `count` voxels, within `radius` voxels of the
    /// coordinate `centre`: empty (never a trap) when the window lies outside the map or the
    /// centre is not a finite number.
    public static func window(around centre: Double, radius: Double, count: Int) -> StrideThrough<Int> {
        let lo = (centre - radius).rounded(.up), hi = (centre + radius).rounded(.down)
        guard lo.isFinite, hi.isFinite, hi >= 0, lo <= Double(count - 1) else { return stride(from: 0, through: -1, by: 1) }
        return stride(from: max(0, Int(lo)), through: min(count - 1, Int(hi)), by: 1)
    }

    /// Two maps are equal when their grids, positions and values are; the flags and the
    /// check mark are bookkeeping, not content.
    public static func == (a: Volume, b: Volume) -> Bool {
        a.nx == b.nx && a.ny == b.ny && a.nz == b.nz && a.voxelSize == b.voxelSize && a.origin == b.origin && a.values == b.values
    }

    /// Number of voxels.
    @inlinable public var count: Int { nx * ny * nz }
    /// Dimensions as a vector.
    public var dimensions: SIMD3<Int> { SIMD3(nx, ny, nz) }

    /// Flat index of voxel (i, j, k).
    @inlinable public func index(_ i: Int, _ j: Int, _ k: Int) -> Int { i + nx * (j + ny * k) }

    /// Value at voxel (i, j, k).
    @inlinable public subscript(i: Int, j: Int, k: Int) -> Float {
        get { values[i + nx * (j + ny * k)] }
        set { values[i + nx * (j + ny * k)] = newValue }
    }

    /// Centre of voxel (i, j, k) in Å.
    @inlinable public func position(_ i: Int, _ j: Int, _ k: Int) -> Vector3 {
        origin + Vector3(Double(i), Double(j), Double(k)) * voxelSize
    }

    /// Centre of a fractional voxel coordinate in Å.
    @inlinable public func position(voxel v: Vector3) -> Vector3 { origin + v * voxelSize }

    /// The fractional voxel coordinate of a position in Å.
    @inlinable public func voxelCoordinate(of p: Vector3) -> Vector3 { (p - origin) / voxelSize }

    /// Whether (i, j, k) is inside the grid.
    @inlinable public func contains(_ i: Int, _ j: Int, _ k: Int) -> Bool {
        i >= 0 && j >= 0 && k >= 0 && i < nx && j < ny && k < nz
    }

    /// Edge lengths of the box, Å.
    public var boxSize: Vector3 { Vector3(Double(nx), Double(ny), Double(nz)) * voxelSize }

    /// The part of the map inside `box`, on the same grid: its origin moves so every voxel
    /// keeps its position in Å.
    public func cropped(to box: VoxelBox) -> Volume {
        precondition(box.count > 0, "an empty box")
        // Rows copied straight into fresh storage: zero-filling it first would write the
        // whole box twice.
        let copied = values.withUnsafeBufferPointer { src in
            LargeArrays.make(count: box.count) { (dst: UnsafeMutableBufferPointer<Float>) in
                for k in 0..<box.dims.z { for j in 0..<box.dims.y {
                    (dst.baseAddress! + box.dims.x * (j + box.dims.y * k))
                        .initialize(from: src.baseAddress! + index(box.lo.x, box.lo.y + j, box.lo.z + k), count: box.dims.x)
                } }
            }
        }
        return Volume(nx: box.dims.x, ny: box.dims.y, nz: box.dims.z, voxelSize: voxelSize,
                      origin: origin + Vector3(Double(box.lo.x), Double(box.lo.y), Double(box.lo.z)) * voxelSize, values: copied)
    }
}

extension Volume {
    /// The median of the map's values at the voxels nearest `positions` (0 for a position
    /// outside the grid); NaN for no positions.
    package func medianValue(at positions: [Vector3]) -> Double {
        guard !positions.isEmpty else { return .nan }
        var values = positions.map { p -> Float in
            let v = voxelCoordinate(of: p)
            let i = Int(v.x.rounded()), j = Int(v.y.rounded()), k = Int(v.z.rounded())
            return contains(i, j, k) ? self[i, j, k] : 0
        }
        values.sort()
        return Double(values[values.count / 2])
    }
}

extension Volume {
    /// The median of the map's values, estimated from at most about 100,000 evenly spaced
    /// voxels (no copy of a large map).
    package func sampledMedian() -> Double {
        let total = nx * ny * nz
        guard total > 0 else { return .nan }
        let stride = Swift.max(1, total / 100_000)
        var picked: [Float] = []
        picked.reserveCapacity(total / stride + 1)
        values.withUnsafeBufferPointer { b in
            var i = 0
            while i < total { picked.append(b[i]); i += stride }
        }
        picked.sort()
        return Double(picked[picked.count / 2])
    }
}
