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

/// The first and last i in 0..<n with `row[i] != 0` (NaN counts as non-zero), or nil when
/// the row is all zeros: eight values tested at once from each end.
@inline(__always)
func nonzeroSpan(of row: UnsafePointer<Float>, count n: Int) -> (first: Int, last: Int)? {
    let raw = UnsafeRawPointer(row)
    let zero = SIMD8<Float>.zero
    var i = 0
    while i + 8 <= n && !any(raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self) .!= zero) { i += 8 }
    while i < n && row[i] == 0 { i += 1 }
    guard i < n else { return nil }
    var j = n
    while j - 8 >= i && !any(raw.loadUnaligned(fromByteOffset: 4 * (j - 8), as: SIMD8<Float>.self) .!= zero) { j -= 8 }
    while row[j - 1] == 0 { j -= 1 }
    return (i, j - 1)
}
