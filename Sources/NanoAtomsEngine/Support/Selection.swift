/// Selecting an element by rank without sorting.
package enum Selection {
    /// The element of rank `k` (0-based) of `values`, by quickselect (Hoare partitions), in
    /// linear time on average. Reorders `values`: afterwards every element before index `k` is
    /// ≤ the result and every one after it ≥. `values` must hold no NaN.
    package static func element<T: Comparable>(ofRank k: Int, in values: UnsafeMutableBufferPointer<T>) -> T {
        precondition(values.indices.contains(k))
        var lo = 0, hi = values.count - 1
        while lo < hi {
            let pivot = values[(lo + hi) / 2]
            var i = lo, j = hi
            while i <= j {
                while values[i] < pivot { i += 1 }
                while values[j] > pivot { j -= 1 }
                if i <= j { values.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { break }
        }
        return values[k]
    }
}
