/// Calls `body(i)`, in increasing order, for each i in `range` with `row[i] > threshold`.
///
/// Most of a map lies below the thresholds that model building scans for (Otsu's T₀ and
/// above), so eight values are tested at once and groups with none above are passed over.
@inline(__always)
func forEachIndex(in row: UnsafePointer<Float>, _ range: Range<Int>, above threshold: Float, _ body: (Int) -> Void) {
    let threshold8 = SIMD8<Float>(repeating: threshold)
    let raw = UnsafeRawPointer(row)
    var i = range.lowerBound
    while i + 8 <= range.upperBound {
        if any(raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self) .> threshold8) {
            for t in i..<(i + 8) where row[t] > threshold { body(t) }
        }
        i += 8
    }
    while i < range.upperBound {
        if row[i] > threshold { body(i) }
        i += 1
    }
}

/// The first and last i in 0..<n whose value passes `test`, or nil when none does: eight
/// values tested at once (`test8`, the same test lane by lane) from each end.
@inline(__always)
func span(of row: UnsafePointer<Float>, count n: Int, _ test8: (SIMD8<Float>) -> SIMDMask<SIMD8<Int32>>,
          _ test: (Float) -> Bool) -> (first: Int, last: Int)? {
    let raw = UnsafeRawPointer(row)
    var i = 0
    while i + 8 <= n && !any(test8(raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self))) { i += 8 }
    while i < n && !test(row[i]) { i += 1 }
    guard i < n else { return nil }
    var j = n
    while j - 8 >= i && !any(test8(raw.loadUnaligned(fromByteOffset: 4 * (j - 8), as: SIMD8<Float>.self))) { j -= 8 }
    while !test(row[j - 1]) { j -= 1 }
    return (i, j - 1)
}

/// The bounding box (inclusive) of the rows' spans: rows report the first and last voxel
/// of theirs, the box grows to hold them.
struct RowSpanBounds {
    private var lo = SIMD3<Int>(repeating: .max), hi = SIMD3<Int>(repeating: -1)
    /// Adds row (j, k)'s span, voxels first...last along x.
    mutating func add(_ first: Int, _ last: Int, row j: Int, plane k: Int) {
        lo = pointwiseMin(lo, SIMD3(first, j, k))
        hi = pointwiseMax(hi, SIMD3(last, j, k))
    }
    /// The box, or nil when no row had a span.
    var bounds: (lo: SIMD3<Int>, hi: SIMD3<Int>)? { hi.x < 0 ? nil : (lo, hi) }
}

/// The bounding box of the voxels of `volume` for which `span` finds a first and last one
/// in their row, or nil when no row has any.
@inline(__always)
func bounds(of volume: Volume, rowSpan: (UnsafePointer<Float>) -> (first: Int, last: Int)?) -> (lo: SIMD3<Int>, hi: SIMD3<Int>)? {
    var box = RowSpanBounds()
    volume.values.withUnsafeBufferPointer { v in
        for k in 0..<volume.nz { for j in 0..<volume.ny {
            if let (first, last) = rowSpan(v.baseAddress! + volume.nx * (j + volume.ny * k)) { box.add(first, last, row: j, plane: k) }
        } }
    }
    return box.bounds
}
