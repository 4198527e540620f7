/// Groups of items joined through links (connected components of a graph whose neighbour
/// function appends an item's neighbours to the array it is given), restricted to the items
/// `included` accepts.
///
/// - Returns: each item's group (−1 for an item not included) and each group's size, groups
///   numbered in the order of their first item.
func connectedGroups(count: Int, included: (Int) -> Bool = { _ in true },
                     neighbours: (Int, inout [Int]) -> Void) -> (group: [Int], sizes: [Int]) {
    var group = [Int](repeating: -1, count: count)
    var sizes: [Int] = []
    var stack: [Int] = [], linked: [Int] = []
    for seed in 0..<count where group[seed] < 0 && included(seed) {
        let id = sizes.count
        group[seed] = id
        stack.append(seed)
        var size = 0
        while let p = stack.popLast() {
            size += 1
            linked.removeAll(keepingCapacity: true)
            neighbours(p, &linked)
            for q in linked where group[q] < 0 && included(q) { group[q] = id; stack.append(q) }
        }
        sizes.append(size)
    }
    return (group, sizes)
}

/// Sub-voxel offset of a peak from its voxel, from the parabola through the values one voxel
/// below (`minus`), at (`centre`) and above (`plus`) along one axis: within ±0.5, and 0
/// where the three values do not curve down.
@inline(__always)
func parabolicPeakOffset(_ minus: Float, _ centre: Float, _ plus: Float) -> Double {
    let d = Double(minus) - 2 * Double(centre) + Double(plus)
    return d < 0 ? max(-0.5, min(0.5, 0.5 * Double(minus - plus) / d)) : 0
}
