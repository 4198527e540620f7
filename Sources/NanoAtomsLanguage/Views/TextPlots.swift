import Foundation
import NanoAtomsEngine

/// Quick views for the terminal: the shape of a curve or a map in a few lines of text, so a
/// user sees it without opening a file.
package enum TextPlot {
    /// Eight block heights, lowest first.
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// One character per value, its height proportional to the value between the minimum and
    /// maximum (a non-finite value is a space).
    package static func sparkline(_ values: [Double]) -> String {
        let finite = values.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return String(repeating: " ", count: values.count) }
        return String(values.map { v -> Character in
            guard v.isFinite else { return " " }
            let t = hi > lo ? (v - lo) / (hi - lo) : 0.5
            return blocks[min(Int(t * Double(blocks.count)), blocks.count - 1)]
        })
    }

    /// A small scatter plot: `points` as `●`, `curve` (sampled densely) as `·`, and vertical
    /// marks (e.g. δ) as a column of their character, with the y range on the left and the x
    /// range and label below.
    package static func scatter(points: [(Double, Double)], curve: [(Double, Double)] = [],
                               marks: [(x: Double, symbol: Character)] = [],
                               xLabel: String, yLabel: String, width: Int = 60, height: Int = 14) -> String {
        let all = (points + curve).filter { $0.0.isFinite && $0.1.isFinite }
        guard !all.isEmpty else { return "  (nothing to plot)" }
        var x0 = all.map(\.0).min()!, x1 = all.map(\.0).max()!
        for m in marks where m.x.isFinite { x0 = min(x0, m.x); x1 = max(x1, m.x) }
        var y0 = all.map(\.1).min()!, y1 = all.map(\.1).max()!
        if x1 <= x0 { x1 = x0 + 1 }
        if y1 <= y0 { y1 = y0 + 1 }
        var grid = [[Character]](repeating: [Character](repeating: " ", count: width), count: height)
        func cell(_ x: Double, _ y: Double) -> (Int, Int) {
            let c = clampedInt(((x - x0) / (x1 - x0) * Double(width - 1)).rounded(), 0...(width - 1))
            let r = height - 1 - clampedInt(((y - y0) / (y1 - y0) * Double(height - 1)).rounded(), 0...(height - 1))
            return (r, c)
        }
        for m in marks where m.x.isFinite {
            let (_, c) = cell(m.x, y0)
            for r in 0..<height { grid[r][c] = m.symbol }
        }
        for (x, y) in curve where x.isFinite && y.isFinite { let (r, c) = cell(x, y); grid[r][c] = "·" }
        for (x, y) in points where x.isFinite && y.isFinite { let (r, c) = cell(x, y); grid[r][c] = "●" }
        let top = format(y1), bottom = format(y0)
        let pad = max(top.count, bottom.count)
        var lines = ["  \(yLabel)"]
        for (r, row) in grid.enumerated() {
            let label = r == 0 ? top : (r == height - 1 ? bottom : "")
            lines.append("  " + String(repeating: " ", count: pad - label.count) + label + " ┤" + String(row))
        }
        lines.append("  " + String(repeating: " ", count: pad) + " └" + String(repeating: "─", count: width))
        let left = format(x0), right = format(x1)
        let gap = max(1, width - left.count - right.count)
        lines.append("  " + String(repeating: " ", count: pad + 2) + left + String(repeating: " ", count: gap) + right)
        lines.append("  " + String(repeating: " ", count: pad + 2 + max(0, (width - xLabel.count) / 2)) + xLabel)
        return lines.joined(separator: "\n")
    }

    /// A map's plane as characters from dark (space) to bright (`@`), with `o` where an atom
    /// lies within `atomRadius` of the plane; rows are the highest coordinate first.
    package static func slice(_ volume: Volume, axis: ViewAxis, index: Int, atoms: [Vector3], atomRadius: Double,
                             maxWidth: Int = 72) -> String {
        let ramp = Array(" .:-=+*#%@")
        let dims = [volume.nx, volume.ny, volume.nz]
        let (h, v) = axis.shown
        let step = max(1, (dims[h] + maxWidth - 1) / maxWidth)
        let plane = min(max(index, 0), dims[axis.rawValue] - 1)
        var voxel = [0, 0, 0]
        voxel[axis.rawValue] = plane
        var samples: [[Float]] = []
        // Terminal cells are about twice as tall as wide: sample rows twice as sparsely.
        for row in stride(from: dims[v] - 1, through: 0, by: -2 * step) {
            var line: [Float] = []
            for col in stride(from: 0, to: dims[h], by: step) {
                voxel[v] = row; voxel[h] = col
                line.append(volume[voxel[0], voxel[1], voxel[2]])
            }
            samples.append(line)
        }
        let flat = samples.flatMap { $0 }.sorted()
        let lo = flat[Int(0.005 * Double(flat.count - 1))], hi = flat[Int(0.999 * Double(flat.count - 1))]
        var grid = samples.map { line in line.map { v -> Character in
            let t = hi > lo ? Double((v - lo) / (hi - lo)) : 0
            return ramp[clampedInt(t * Double(ramp.count), 0...(ramp.count - 1))]
        } }
        let origin: [Double] = [volume.origin.x, volume.origin.y, volume.origin.z]
        let planeCoordinate = origin[axis.rawValue] + Double(plane) * volume.voxelSize
        for p in atoms where abs(p[axis.rawValue] - planeCoordinate) <= atomRadius {
            let g = volume.voxelCoordinate(of: p)
            let c = clampedInt((g[h] / Double(step)).rounded(), -1...Int(Int32.max))
            let fromTop: Double = Double(dims[v] - 1) - g[v]
            let r = clampedInt(fromTop / Double(2 * step) + 0.5, -1...Int(Int32.max))
            if r >= 0 && r < grid.count && c >= 0 && c < grid[r].count { grid[r][c] = "o" }
        }
        return grid.map { "  " + String($0) }.joined(separator: "\n")
    }

    /// Atoms seen along an axis as characters at their (horizontal, vertical) coordinates,
    /// highest vertical first; a later atom in the same cell covers an earlier one. A cell is
    /// `cell` Å wide and twice as tall (terminal cells are about twice as tall as wide), made
    /// larger if the picture would be wider than `maxWidth`.
    package static func atomMap(_ items: [(h: Double, v: Double, symbol: Character)], cell requested: Double, maxWidth: Int = 72) -> String {
        guard let h0 = items.map(\.h).min(), let h1 = items.map(\.h).max(),
              let v0 = items.map(\.v).min(), let v1 = items.map(\.v).max() else { return "  (no atoms)" }
        let cell = max(requested, (h1 - h0) / Double(maxWidth - 1), (v1 - v0) / Double(2 * maxWidth - 2), 1e-9)
        let columns = clampedInt((h1 - h0) / cell, 0...(maxWidth - 1)) + 1, rows = clampedInt((v1 - v0) / (2 * cell), 0...(2 * maxWidth)) + 1
        var grid = [[Character]](repeating: [Character](repeating: " ", count: columns), count: rows)
        for item in items {
            let c = clampedInt(((item.h - h0) / cell).rounded(), 0...(columns - 1)), r = clampedInt(((v1 - item.v) / (2 * cell)).rounded(), 0...(rows - 1))
            grid[r][c] = item.symbol
        }
        return grid.map { "  " + String($0) }.joined(separator: "\n")
    }

    static func format(_ v: Double) -> String {
        if v != 0 && (abs(v) >= 1e5 || abs(v) < 1e-3) { return String(format: "%.2e", v) }
        return String(format: "%.4g", v)
    }
}
