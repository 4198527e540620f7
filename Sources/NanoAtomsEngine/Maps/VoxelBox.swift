/// A box of voxels: its first voxel and its size along x, y, z.
public struct VoxelBox: Sendable, Equatable {
    /// The first voxel.
    public var lo: SIMD3<Int>
    /// Voxels along x, y, z.
    public var dims: SIMD3<Int>
    /// The box from `lo` to `hi`, inclusive.
    public init(lo: SIMD3<Int>, hi: SIMD3<Int>) {
        self.lo = lo
        dims = pointwiseMax(hi &- lo &+ 1, .zero)
    }
    /// The last voxel.
    public var hi: SIMD3<Int> { lo &+ dims &- 1 }
    /// Number of voxels.
    public var count: Int { dims.x * dims.y * dims.z }

    /// The whole grid of `volume`.
    public init(wholeOf volume: Volume) { self.init(lo: .zero, hi: volume.dimensions &- 1) }

    /// This box grown by `margin` voxels on every side and clipped to `volume`'s grid.
    public func expanded(by margin: Int, within volume: Volume) -> VoxelBox {
        VoxelBox(lo: pointwiseMax(lo &- margin, .zero), hi: pointwiseMin(hi &+ margin, volume.dimensions &- 1))
    }
}

