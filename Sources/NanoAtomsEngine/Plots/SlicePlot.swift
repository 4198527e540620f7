import Foundation

extension Plot {
    /// One plane of a map as a grey image (black low, white high, scaled between the 0.5th and
    /// 99.9th percentiles of the plane) with the atoms within `atomRadius` of the plane drawn
    /// as rings at their centres.
    ///
    /// - Parameters:
    ///   - index: the plane's voxel index along `axis`.
    package static func slice(_ volume: Volume, axis: ViewAxis, index: Int, atoms: [Vector3] = [], atomRadius: Double,
                             title: String? = nil) -> SVGCanvas {
        let dims = [volume.nx, volume.ny, volume.nz]
        let (h, v) = axis.shown
        let width = dims[h], height = dims[v]
        let plane = min(max(index, 0), dims[axis.rawValue] - 1)
        var values = [Float](repeating: 0, count: width * height)
        var voxel = [0, 0, 0]
        voxel[axis.rawValue] = plane
        for row in 0..<height {
            voxel[v] = height - 1 - row  // the image's top row is the highest coordinate
            for col in 0..<width {
                voxel[h] = col
                values[row * width + col] = volume[voxel[0], voxel[1], voxel[2]]
            }
        }
        let sorted = values.sorted()
        let lo = Double(sorted[Int(0.005 * Double(sorted.count - 1))]), hi = Double(sorted[Int(0.999 * Double(sorted.count - 1))])
        let span = hi > lo ? hi - lo : 1
        let pixels = values.map { UInt8(min(max((Double($0) - lo) / span * 255, 0), 255).rounded()) }
        let png = greyscalePNG(width: width, height: height, pixels: pixels)

        let a = volume.voxelSize, o = [volume.origin.x, volume.origin.y, volume.origin.z]
        let hDomain = (o[h] - a / 2, o[h] + (Double(width) - 0.5) * a), vDomain = (o[v] - a / 2, o[v] + (Double(height) - 0.5) * a)
        let area = PlotFrame.plotArea(height: 440)
        let domains = PlotFrame.equalAspectDomains(h: hDomain, v: vDomain, padding: 0, areaWidth: area.width, areaHeight: area.height)
        let axisNames = ["x", "y", "z"]
        let planeCoordinate = o[axis.rawValue] + Double(plane) * a
        var frame = PlotFrame(title: title ?? String(format: "Slice %@ = %.2f Å (plane %d of %d)", axis.name, planeCoordinate, plane, dims[axis.rawValue]),
                              xLabel: "\(axisNames[h]) (Å)", yLabel: "\(axisNames[v]) (Å)",
                              xDomain: domains.h, yDomain: domains.v, height: 440, grid: false)
        frame.beginData(className: "data")
        frame.canvas.image(png: png, frame.x(hDomain.0), frame.y(vDomain.1), frame.x(hDomain.1) - frame.x(hDomain.0), frame.y(vDomain.0) - frame.y(vDomain.1))
        let scale = abs(frame.x(1) - frame.x(0))
        var shown = 0
        for p in atoms where abs(p[axis.rawValue] - planeCoordinate) <= atomRadius {
            shown += 1
            frame.canvas.circle(frame.x(p[h]), frame.y(p[v]), r: 0.5 * atomRadius * scale, fill: "none", stroke: ColorMap.categorical[4],
                                strokeWidth: 1.5, className: "atom",
                                tooltip: "atom at (\(NumberFormatting.fixed(p.x, 2)), \(NumberFormatting.fixed(p.y, 2)), \(NumberFormatting.fixed(p.z, 2))) Å")
        }
        frame.canvas.endGroup()
        if !atoms.isEmpty {
            let occupied = atoms.filter { abs($0[axis.rawValue] - planeCoordinate) <= atomRadius }.map { (frame.x($0[h]), frame.y($0[v])) }
            frame.legend([("\(shown) atoms within \(String(format: "%.2f", atomRadius)) Å of the plane", .hollowMarker(ColorMap.categorical[4]))],
                         avoiding: occupied)
        }
        return frame.canvas
    }
}
