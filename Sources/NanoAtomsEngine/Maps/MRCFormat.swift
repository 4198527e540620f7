import Foundation

/// Reading and writing maps in the MRC2014 format.
///
/// Reads modes 0 (int8), 1 (int16), 2 (float32), 6 (uint16) and 12 (float16), in
/// either byte order (from the machine stamp), in any MAPC/MAPR/MAPS axis order,
/// honouring NXSTART/NYSTART/NZSTART and ORIGIN, and skipping the extended header.
/// Writes mode 2. Anything malformed is refused with an ``EngineError`` naming the file.
public enum MRCFormat {
    /// Size of the fixed header in bytes (MRC2014).
    public static let headerSize = 1024

    /// The data modes this reader understands, with their bytes per voxel.
    public static let supportedModes: [Int32: Int] = [0: 1, 1: 2, 2: 4, 6: 2, 12: 2]

    /// Largest number of voxels along one axis we accept; larger values mean a broken header.
    static let maximumDimension = 65_536

    /// How a map is laid out in a file: used to write the odd files that tests read back.
    public struct Layout: Sendable {
        /// Data mode: 0, 1, 2, 6 or 12.
        public var mode: Int32 = 2
        /// Big-endian byte order instead of little-endian.
        public var bigEndian = false
        /// Which Cartesian axis (1 = x, 2 = y, 3 = z) runs along columns, rows and sections.
        public var axisOrder: (Int32, Int32, Int32) = (1, 2, 3)
        /// NXSTART/NYSTART/NZSTART, per storage axis (columns, rows, sections).
        public var start: (Int32, Int32, Int32) = (0, 0, 0)
        /// Bytes of extended header to write (filled with zeros).
        public var extendedHeaderBytes = 0
        /// Whether the header records the voxel size (cell and sampling).
        public var recordsVoxelSize = true
        /// Scale applied before rounding for the integer modes.
        public var integerScale: Float = 1
        /// The standard layout: mode 2, little-endian, x fastest.
        public init() {}
    }

    // MARK: Reading

    /// Reads the map at `path`. `voxelSize` replaces the header's voxel size when given
    /// and is required when the header has none.
    public static func read(path: String, voxelSize: Double? = nil) throws -> Volume {
        // Only a regular file: a FIFO or a device is refused before a byte is read.
        let (fd, size) = try openInputFile(path)
        defer { close(fd) }
        guard size >= headerSize else {
            throw EngineError("not an MRC file: \(size) bytes, shorter than the 1024-byte header", file: path)
        }
        func readFully(_ destination: UnsafeMutableRawBufferPointer, at offset: Int) throws {
            var filled = 0
            while filled < destination.count {
                let n = pread(fd, destination.baseAddress! + filled, min(destination.count - filled, 1 << 30), off_t(offset + filled))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw EngineError("cannot read the file (it is shorter than its size says)", file: path) }
                filled += n
            }
        }
        var head = [UInt8](repeating: 0, count: headerSize)
        try head.withUnsafeMutableBytes { try readFully($0, at: 0) }
        // The common layout (float32, little-endian, x fastest) is read with pread straight
        // into the map's storage: no copy of the whole file and no zero-filling first, which
        // matters for large boxes. The header is checked (sizes, memory) before that.
        let r = ByteReader(bytes: head, bigEndian: false)
        let axes = [r.int32(64), r.int32(68), r.int32(72)]
        if head[212] == 0x44, r.int32(12) == 2, axes == [1, 2, 3] || axes == [0, 0, 0], Int(1).littleEndian == 1 {
            return try decode(head, name: path, voxelSize: voxelSize, fileSize: size, readFloats: readFully)
        }
        // Other layouts are decoded from the whole file, read only once its size is known to
        // be within what a map may occupy.
        guard size - headerSize <= Limits.mapBytes else {
            throw EngineError("map too large: the file holds \(Limits.gigabytes(Double(size))), limit \(Limits.gigabytes(Double(Limits.mapBytes))) (an eighth of this machine's memory)", file: path)
        }
        var bytes = [UInt8](repeating: 0, count: size)
        try bytes.withUnsafeMutableBytes { try readFully($0, at: 0) }
        return try decode(bytes, name: path, voxelSize: voxelSize)
    }

    /// Decodes the bytes of an MRC file; `name` names it in errors.
    public static func decode(_ bytes: [UInt8], name: String, voxelSize: Double? = nil) throws -> Volume {
        try decode(bytes, name: name, voxelSize: voxelSize, fileSize: nil, readFloats: nil)
    }

    /// Decodes an MRC header and its data. With `readFloats`, `bytes` is the header only, the
    /// file has `fileSize` bytes, and the data are float32 in the machine's order, x fastest:
    /// `readFloats` fills the given buffer from the given file offset.
    static func decode(_ bytes: [UInt8], name: String, voxelSize: Double?, fileSize: Int?,
                       readFloats: ((UnsafeMutableRawBufferPointer, Int) throws -> Void)?) throws -> Volume {
        guard bytes.count >= headerSize else {
            throw EngineError("not an MRC file: \(bytes.count) bytes, shorter than the 1024-byte header", file: name)
        }
        let bigEndian = try byteOrder(bytes, name: name)
        let r = ByteReader(bytes: bytes, bigEndian: bigEndian)
        let nc = Int(r.int32(0)), nr = Int(r.int32(4)), ns = Int(r.int32(8))
        let mode = r.int32(12)
        let start = [r.int32(16), r.int32(20), r.int32(24)]
        let sampling = [r.int32(28), r.int32(32), r.int32(36)]
        let cell = [r.float(40), r.float(44), r.float(48)]
        var axes = [r.int32(64), r.int32(68), r.int32(72)]
        let extended = Int(r.int32(92))
        let headerOrigin = [r.float(196), r.float(200), r.float(204)]

        for (label, n) in [("NX", nc), ("NY", nr), ("NZ", ns)] where n < 1 || n > maximumDimension {
            throw EngineError("absurd dimension \(label) = \(n) in the header", file: name)
        }
        guard let bytesPerVoxel = supportedModes[mode] else {
            throw EngineError("unsupported data mode \(mode) (supported: 0, 1, 2, 6, 12)", file: name)
        }
        // Refused before anything is allocated: a header asking for more than memory allows.
        try Limits.checkMapSize(nc, nr, ns, file: name)
        if axes == [0, 0, 0] { axes = [1, 2, 3] }
        guard axes.sorted() == [1, 2, 3] else {
            throw EngineError("MAPC/MAPR/MAPS = \(axes.map(String.init).joined(separator: " ")) is not an ordering of 1 2 3", file: name)
        }
        let totalBytes = fileSize ?? bytes.count
        guard extended >= 0, extended <= totalBytes - headerSize else {
            throw EngineError("extended header of \(extended) bytes runs past the end of the file", file: name)
        }
        let count = nc * nr * ns
        let dataStart = headerSize + extended
        let needed = count * bytesPerVoxel
        guard totalBytes - dataStart >= needed else {
            throw EngineError("truncated: \(nc)×\(nr)×\(ns) voxels of mode \(mode) need \(needed) bytes of data, the file has \(totalBytes - dataStart)", file: name)
        }
        // More data than the header accounts for means a wrong mode, wrong dimensions or a
        // wrong extended-header length: reading the first part would give a wrong map.
        guard totalBytes - dataStart == needed else {
            throw EngineError("the header accounts for \(needed) bytes of data (\(nc)×\(nr)×\(ns) voxels of mode \(mode) after \(extended) bytes of extended header), but the file has \(totalBytes - dataStart): its mode, dimensions or NSYMBT are wrong", file: name)
        }

        // Voxel size per Cartesian axis: cell length / sampling.
        let apix: Double
        // Per Cartesian axis, when the header's voxels are not cubes (they are resampled below).
        var axisSizes: [Double]? = nil
        if let v = voxelSize {
            try Limits.check(v, in: Limits.voxelSize, "the voxel size", unit: "Å", file: name)
            apix = v
        } else {
            var sizes: [Double] = []
            for a in 0..<3 {
                let s = Double(sampling[a]), c = Double(cell[a])
                guard s > 0, c > 0, c.isFinite else {
                    throw EngineError("the header has no voxel size (cell \(cell[a]) Å over \(sampling[a]) samples); give one with --apix", file: name)
                }
                sizes.append(c / s)
            }
            let mean = sizes.reduce(0, +) / 3
            if !sizes.allSatisfy({ abs($0 - mean) <= 1e-3 * mean }) {
                for (a, size) in sizes.enumerated() where !Limits.voxelSize.contains(size) {
                    throw EngineError("the header's voxel size along \(["x", "y", "z"][a]), \(Limits.formatBound(size)) Å (cell over samples), is outside \(Limits.formatBound(Limits.voxelSize.lowerBound))–\(Limits.formatBound(Limits.voxelSize.upperBound)) Å", file: name)
                }
                axisSizes = sizes
            }
            guard axisSizes != nil || Limits.voxelSize.contains(mean) else {
                throw EngineError("the header's voxel size, \(Limits.formatBound(mean)) Å (cell over samples), is outside \(Limits.formatBound(Limits.voxelSize.lowerBound))–\(Limits.formatBound(Limits.voxelSize.upperBound)) Å; if the header is wrong, give the voxel size with --apix (apix= in a script)", file: name)
            }
            apix = axisSizes?.min() ?? mean
        }

        // Storage axis s (0 columns, 1 rows, 2 sections) runs along Cartesian axis axes[s]-1.
        let storageDims = [nc, nr, ns]
        var dims = [0, 0, 0]
        for s in 0..<3 { dims[Int(axes[s]) - 1] = storageDims[s] }
        var originValues = [0.0, 0.0, 0.0]
        for s in 0..<3 {
            let a = Int(axes[s]) - 1
            let o = Double(headerOrigin[a])
            originValues[a] = Double(start[s]) * (axisSizes?[a] ?? apix) + (o.isFinite ? o : 0)
        }
        let origin = Vector3(originValues[0], originValues[1], originValues[2])
        for a in 0..<3 where !Limits.coordinate.contains(originValues[a]) || !Limits.coordinate.contains(originValues[a] + Double(dims[a]) * (axisSizes?[a] ?? apix)) {
            throw EngineError("the map's corner lies at \(Limits.formatBound(originValues[a])) Å along \(["x", "y", "z"][a]) (NXSTART·apix + ORIGIN), beyond ±1e6 Å: its header is broken", file: name)
        }
        // The common layout (float32, little-endian, x fastest) is the values as they are, on
        // a little-endian machine: read or copied whole, then scanned for NaN and infinity.
        let verbatim = mode == 2 && !bigEndian && axes == [1, 2, 3] && Int(1).littleEndian == 1
        let values: [Float]
        var bad = 0, firstBad = -1
        var knownRange: (minimum: Float, maximum: Float)? = nil
        if verbatim || readFloats != nil {
            // Read (or copied) a megabyte at a time and checked while the piece is in cache:
            // one pass over memory, not two.
            var anyNonFinite = false
            var lo = Float.infinity, hi = -Float.infinity
            values = try LargeArrays.make(count: count) { buffer in
                for first in stride(from: 0, to: count, by: verbatimChunk) {
                    let piece = UnsafeMutableBufferPointer(rebasing: buffer[first..<min(count, first + verbatimChunk)])
                    let offset = dataStart + 4 * first
                    if let readFloats {
                        try readFloats(UnsafeMutableRawBufferPointer(piece), offset)
                    } else {
                        bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(piece).copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + 4 * piece.count)])) }
                    }
                    if containsNonFinite(UnsafeBufferPointer(piece)) { anyNonFinite = true }
                    // The range too, while the piece is in cache, for ExtremeValues below.
                    let r = ExtremeValues.minimumAndMaximum(UnsafeBufferPointer(piece))
                    lo = min(lo, r.minimum); hi = max(hi, r.maximum)
                }
            }
            if anyNonFinite { (bad, firstBad) = countNonFinite(values) }
            knownRange = (lo, hi)
        } else {
            // Strides, in the output, of one step along each storage axis.
            let outStride = [1, dims[0], dims[0] * dims[1]]
            let sc = outStride[Int(axes[0]) - 1], sr = outStride[Int(axes[1]) - 1], ss = outStride[Int(axes[2]) - 1]
            var decoded = LargeArrays.filled(Float(0), count: count)
            bytes.withUnsafeBufferPointer { src in
                decoded.withUnsafeMutableBufferPointer { dst in
                    var n = 0
                    for s in 0..<ns {
                        for rr in 0..<nr {
                            var o = s * ss + rr * sr
                            for _ in 0..<nc {
                                let v = decodeVoxel(src, dataStart + n * bytesPerVoxel, mode: mode, bigEndian: bigEndian)
                                if !v.isFinite { bad += 1; if firstBad < 0 { firstBad = n } }
                                dst[o] = v
                                o += sc
                                n += 1
                            }
                        }
                    }
                }
            }
            values = decoded
        }
        if bad > 0 {
            throw EngineError("\(bad) voxel values are NaN or infinite (the first at data index \(firstBad))", file: name)
        }
        var volume = Volume(nx: dims[0], ny: dims[1], nz: dims[2], voxelSize: apix, origin: origin, values: values)
        if let axisSizes { volume = try resampledToCubes(volume, axisSizes: axisSizes, name: name) }
        // Another program's sentinel or a corrupted voxel must not reach the arithmetic.
        if let flag = ExtremeValues.condition(&volume, knownRange: knownRange).flag { volume.flags.append(flag) }
        return volume
    }

    /// `volume`, whose values lie on voxels of `axisSizes` Å along x, y, z (its `voxelSize`
    /// is the smallest), interpolated trilinearly onto cubes of the smallest size over the same
    /// extent, with a `resampled` flag saying so. Every step of the method assumes cubic voxels
    /// (the simulated atom, the filters, the neighbour grid), so the map is made to fit them
    /// once, where it enters; the finest spacing loses no detail.
    static func resampledToCubes(_ volume: Volume, axisSizes: [Double], name: String) throws -> Volume {
        let h = volume.voxelSize
        let old = [volume.nx, volume.ny, volume.nz]
        let dims = (0..<3).map { a in Int((Double(old[a] - 1) * axisSizes[a] / h + 1e-9).rounded(.down)) + 1 }
        try Limits.checkMapSize(dims[0], dims[1], dims[2], file: name)
        var out = Volume(nx: dims[0], ny: dims[1], nz: dims[2], voxelSize: h, origin: volume.origin)
        // Per axis, each new sample's lower neighbour on the old grid and its weight.
        func steps(_ a: Int) -> [(Int, Float)] {
            (0..<dims[a]).map { n in
                let x = Double(n) * h / axisSizes[a]
                let i = min(Int(x), max(old[a] - 2, 0))
                return (i, old[a] == 1 ? 0 : Float(x - Double(i)))
            }
        }
        let sx = steps(0), sy = steps(1), sz = steps(2)
        let nx = old[0], plane = old[0] * old[1]
        let dx = old[0] > 1 ? 1 : 0, dy = old[1] > 1 ? nx : 0, dz = old[2] > 1 ? plane : 0
        volume.values.withUnsafeBufferPointer { src in
            out.values.withUnsafeMutableBufferPointer { dst in
                var o = 0
                for (k, wz) in sz {
                    for (j, wy) in sy {
                        let base = k * plane + j * nx
                        for (i, wx) in sx {
                            let p = base + i
                            let c00 = src[p] + wx * (src[p + dx] - src[p])
                            let c10 = src[p + dy] + wx * (src[p + dy + dx] - src[p + dy])
                            let c01 = src[p + dz] + wx * (src[p + dz + dx] - src[p + dz])
                            let c11 = src[p + dz + dy] + wx * (src[p + dz + dy + dx] - src[p + dz + dy])
                            let c0 = c00 + wy * (c10 - c00), c1 = c01 + wy * (c11 - c01)
                            dst[o] = c0 + wz * (c1 - c0)
                            o += 1
                        }
                    }
                }
            }
        }
        out.flags = volume.flags
        out.flags.append(QualityFlag(.resampled, String(format: "the header's voxels are %.4f × %.4f × %.4f Å, not cubes; the map was resampled (trilinear) onto %.4f Å cubes, %d × %d × %d voxels",
                                                        axisSizes[0], axisSizes[1], axisSizes[2], h, dims[0], dims[1], dims[2]),
                                     remedy: "resample it yourself first if another interpolation is wanted"))
        return out
    }

    /// How many values are NaN or infinite, and the first one's index (called once
    /// ``containsNonFinite(_:)`` has found one).
    static func countNonFinite(_ values: [Float]) -> (count: Int, first: Int) {
        let bad = values.indices.filter { !values[$0].isFinite }
        return (bad.count, bad.first ?? -1)
    }

    /// Values per piece of a verbatim read: a megabyte, checked while it is in cache.
    static let verbatimChunk = 1 << 18

    /// Whether any value is NaN or infinite (all exponent bits set), eight at a time.
    static func containsNonFinite(_ values: UnsafeBufferPointer<Float>) -> Bool {
        let exponent = SIMD8<UInt32>(repeating: 0x7F80_0000)
        let raw = UnsafeRawBufferPointer(values)
        var i = 0
        var any = SIMD8<UInt32>(repeating: 0)
        while i + 8 <= values.count {
            let bits = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<UInt32>.self)
            any.replace(with: 1, where: (bits & exponent) .== exponent)
            i += 8
        }
        return any != .zero || values[i...].contains { !$0.isFinite }
    }

    private static func byteOrder(_ b: [UInt8], name: String) throws -> Bool {
        switch b[212] {
        case 0x44: return false
        case 0x11: return true
        default:
            // No usable stamp (older files): take the order in which the mode is sensible.
            let le = ByteReader(bytes: b, bigEndian: false), be = ByteReader(bytes: b, bigEndian: true)
            if supportedModes[le.int32(12)] != nil, (1...maximumDimension).contains(Int(le.int32(0))) { return false }
            if supportedModes[be.int32(12)] != nil, (1...maximumDimension).contains(Int(be.int32(0))) { return true }
            return false
        }
    }

    @inline(__always)
    private static func decodeVoxel(_ p: UnsafeBufferPointer<UInt8>, _ o: Int, mode: Int32, bigEndian: Bool) -> Float {
        switch mode {
        case 0:
            return Float(Int8(bitPattern: p[o]))
        case 1:
            let u = bigEndian ? UInt16(p[o]) << 8 | UInt16(p[o + 1]) : UInt16(p[o + 1]) << 8 | UInt16(p[o])
            return Float(Int16(bitPattern: u))
        case 6:
            let u = bigEndian ? UInt16(p[o]) << 8 | UInt16(p[o + 1]) : UInt16(p[o + 1]) << 8 | UInt16(p[o])
            return Float(u)
        case 12:
            let u = bigEndian ? UInt16(p[o]) << 8 | UInt16(p[o + 1]) : UInt16(p[o + 1]) << 8 | UInt16(p[o])
            return halfToFloat(u)
        default:
            let u: UInt32 = bigEndian
                ? UInt32(p[o]) << 24 | UInt32(p[o + 1]) << 16 | UInt32(p[o + 2]) << 8 | UInt32(p[o + 3])
                : UInt32(p[o + 3]) << 24 | UInt32(p[o + 2]) << 16 | UInt32(p[o + 1]) << 8 | UInt32(p[o])
            return Float(bitPattern: u)
        }
    }

    /// IEEE 754 binary16 to Float, written out so it does not depend on the platform's `Float16`.
    public static func halfToFloat(_ h: UInt16) -> Float {
        let sign: UInt32 = UInt32(h & 0x8000) << 16
        let exponent = Int((h >> 10) & 0x1F)
        let fraction = UInt32(h & 0x3FF)
        if exponent == 0 {
            let magnitude = Float(fraction) * 0x1.0p-24
            return sign != 0 ? -magnitude : magnitude
        }
        if exponent == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (fraction << 13)) }
        return Float(bitPattern: sign | UInt32(exponent + 112) << 23 | (fraction << 13))
    }

    /// Float to IEEE 754 binary16 (round to nearest), for writing mode-12 test files.
    public static func floatToHalf(_ f: Float) -> UInt16 {
        let bits = f.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF) - 127 + 15
        var mantissa = bits & 0x7F_FFFF
        if exponent >= 31 { return sign | 0x7C00 }
        if exponent <= 0 {
            if exponent < -10 { return sign }
            mantissa |= 0x80_0000
            let shift = UInt32(14 - exponent)
            return sign | UInt16((mantissa + (1 << (shift - 1))) >> shift)
        }
        let rounded = UInt32(exponent) << 10 | (mantissa >> 13)
        return sign | UInt16(rounded + ((mantissa >> 12) & 1))
    }

    // MARK: Writing

    /// Writes `volume` to `path` in mode 2, atomically (a temporary file, then a rename).
    public static func write(_ volume: Volume, to path: String) throws {
        try writeAtomically(encode(volume), to: path)
    }

    /// The bytes of an MRC file holding `volume` in the given layout.
    public static func encode(_ volume: Volume, layout: Layout = Layout()) -> [UInt8] {
        guard let bytesPerVoxel = supportedModes[layout.mode] else { preconditionFailure("unsupported mode \(layout.mode)") }
        let axes = [Int(layout.axisOrder.0), Int(layout.axisOrder.1), Int(layout.axisOrder.2)]
        precondition(axes.sorted() == [1, 2, 3])
        let dims = [volume.nx, volume.ny, volume.nz]
        let storage = axes.map { dims[$0 - 1] }
        let start = [layout.start.0, layout.start.1, layout.start.2]
        var w = ByteWriter(bigEndian: layout.bigEndian, capacity: headerSize + layout.extendedHeaderBytes + volume.count * bytesPerVoxel)
        for n in storage { w.int32(Int32(n)) }
        w.int32(layout.mode)
        for s in start { w.int32(s) }
        for n in dims { w.int32(Int32(n)) }                        // MX MY MZ
        for n in dims { w.float(layout.recordsVoxelSize ? Float(Double(n) * volume.voxelSize) : 0) }
        for _ in 0..<3 { w.float(90) }
        for a in axes { w.int32(Int32(a)) }
        var lo = Float.infinity, hi = -Float.infinity, sum = 0.0, sum2 = 0.0
        for v in volume.values { lo = min(lo, v); hi = max(hi, v); sum += Double(v); sum2 += Double(v) * Double(v) }
        let mean = sum / Double(max(volume.count, 1))
        w.float(lo); w.float(hi); w.float(Float(mean))
        w.int32(1)                                                   // ISPG: a single volume
        w.int32(Int32(layout.extendedHeaderBytes))
        w.zeros(8)                                                   // EXTRA up to EXTTYP
        w.raw([0x4D, 0x52, 0x43, 0x4F])                              // EXTTYP "MRCO"
        w.int32(20140)                                               // NVERSION
        w.zeros(196 - 112)
        // ORIGIN: voxel 0 sits at origin + start·apix along each Cartesian axis.
        var headerOrigin = [volume.origin.x, volume.origin.y, volume.origin.z]
        for s in 0..<3 { headerOrigin[axes[s] - 1] -= Double(start[s]) * volume.voxelSize }
        for o in headerOrigin { w.float(Float(o)) }
        w.raw([0x4D, 0x41, 0x50, 0x20])                              // "MAP "
        w.raw(layout.bigEndian ? [0x11, 0x11, 0x00, 0x00] : [0x44, 0x44, 0x00, 0x00])
        w.float(Float((max(sum2 / Double(max(volume.count, 1)) - mean * mean, 0)).squareRoot()))
        w.int32(1)                                                   // NLABL
        var label = Array("nanoatoms".utf8)
        label += [UInt8](repeating: 0x20, count: 80 - label.count)
        w.raw(label)
        w.zeros(headerSize - w.count)
        w.zeros(layout.extendedHeaderBytes)

        if layout.mode == 2 && !layout.bigEndian && axes == [1, 2, 3] {
            // The common case: the values are already in file order.
            volume.values.withUnsafeBytes { w.bytes.append(contentsOf: $0) }
            return w.bytes
        }
        let outStride = [1, volume.nx, volume.nx * volume.ny]
        let sc = outStride[axes[0] - 1], sr = outStride[axes[1] - 1], ss = outStride[axes[2] - 1]
        for s in 0..<storage[2] {
            for r in 0..<storage[1] {
                var o = s * ss + r * sr
                for _ in 0..<storage[0] {
                    let v = volume.values[o]
                    switch layout.mode {
                    case 0: w.bytes.append(UInt8(bitPattern: Int8(clamping: Int((v * layout.integerScale).rounded()))))
                    case 1: w.uint16(UInt16(bitPattern: Int16(clamping: Int((v * layout.integerScale).rounded()))))
                    case 6: w.uint16(UInt16(clamping: Int((v * layout.integerScale).rounded())))
                    case 12: w.uint16(floatToHalf(v))
                    default: w.float(v)
                    }
                    o += sc
                }
            }
        }
        return w.bytes
    }
}

struct ByteReader {
    let bytes: [UInt8]
    let bigEndian: Bool
    func uint32(_ o: Int) -> UInt32 {
        let b0 = UInt32(bytes[o]), b1 = UInt32(bytes[o + 1]), b2 = UInt32(bytes[o + 2]), b3 = UInt32(bytes[o + 3])
        return bigEndian ? b0 << 24 | b1 << 16 | b2 << 8 | b3 : b3 << 24 | b2 << 16 | b1 << 8 | b0
    }
    func int32(_ o: Int) -> Int32 { Int32(bitPattern: uint32(o)) }
    func float(_ o: Int) -> Float { Float(bitPattern: uint32(o)) }
}

struct ByteWriter {
    let bigEndian: Bool
    var bytes: [UInt8]
    init(bigEndian: Bool, capacity: Int) {
        self.bigEndian = bigEndian
        bytes = []
        bytes.reserveCapacity(capacity)
    }
    var count: Int { bytes.count }
    mutating func uint32(_ v: UInt32) {
        if bigEndian {
            bytes.append(UInt8(v >> 24)); bytes.append(UInt8((v >> 16) & 0xFF))
            bytes.append(UInt8((v >> 8) & 0xFF)); bytes.append(UInt8(v & 0xFF))
        } else {
            bytes.append(UInt8(v & 0xFF)); bytes.append(UInt8((v >> 8) & 0xFF))
            bytes.append(UInt8((v >> 16) & 0xFF)); bytes.append(UInt8(v >> 24))
        }
    }
    mutating func uint16(_ v: UInt16) {
        if bigEndian { bytes.append(UInt8(v >> 8)); bytes.append(UInt8(v & 0xFF)) }
        else { bytes.append(UInt8(v & 0xFF)); bytes.append(UInt8(v >> 8)) }
    }
    mutating func int32(_ v: Int32) { uint32(UInt32(bitPattern: v)) }
    mutating func float(_ v: Float) { uint32(v.bitPattern) }
    mutating func raw(_ b: [UInt8]) { bytes += b }
    mutating func zeros(_ n: Int) { if n > 0 { bytes += [UInt8](repeating: 0, count: n) } }
}
