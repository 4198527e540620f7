/// The edit distance between two strings (insertions, deletions, substitutions).
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var row = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = row
    }
    return previous[b.count]
}

/// " (did you mean 'x'?)" for the closest candidate within a small edit distance, or "".
func suggestion(for word: String, among candidates: [String]) -> String {
    let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
    guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(1, min(3, word.count / 3 + 1)) else { return "" }
    return " (did you mean '\(best.0)'?)"
}

/// The edit distance, for the parser's "did you mean" on unknown commands.
func editDistanceForParser(_ a: String, _ b: String) -> Int { editDistance(a.lowercased(), b.lowercased()) }
