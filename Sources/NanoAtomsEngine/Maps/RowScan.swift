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
