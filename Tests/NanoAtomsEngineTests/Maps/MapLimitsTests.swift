import Foundation
import Testing
import NanoAtomsEngine

/// The bounds a map's header must respect, checked before anything is allocated.
@Suite("Map headers within physical bounds")
struct MapLimitsTests {
    let volume = TestSupport.rampVolume(nx: 8, ny: 8, nz: 8, voxelSize: 0.4)

    func refusal(_ bytes: [UInt8], voxelSize: Double? = nil) -> String {
        do { _ = try MRCFormat.decode(bytes, name: "m.mrc", voxelSize: voxelSize); return "accepted" }
        catch { return "\(error)" }
    }
    func setInt32(_ b: inout [UInt8], _ o: Int, _ v: Int32) {
        let u = UInt32(bitPattern: v)
        for k in 0..<4 { b[o + k] = UInt8((u >> (8 * UInt32(k))) & 0xFF) }
    }
    func setFloat(_ b: inout [UInt8], _ o: Int, _ v: Float) { setInt32(&b, o, Int32(bitPattern: v.bitPattern)) }

    @Test("a voxel size outside 0.05–5 Å, from the header or given, is refused with the range")
    func voxelSize() {
        var b = MRCFormat.encode(volume)
        for (a, cell) in [(40, Float(0.04)), (44, 0.04), (48, 0.04)] { setFloat(&b, a, cell) }    // 0.005 Å voxels
        #expect(refusal(b) == "m.mrc: the header's voxel size, 0.005 Å (cell over samples), is outside 0.05–5 Å; if the header is wrong, give the voxel size with --apix (apix= in a script)")
        #expect(refusal(b, voxelSize: 0.4) == "accepted")
        for bad in [1e-10, 1e-20, 0, -1, 40, .nan, .infinity] {
            #expect(refusal(MRCFormat.encode(volume), voxelSize: bad).hasPrefix("m.mrc: the voxel size must lie between 0.05 and 5 Å"))
        }
    }

    @Test("a header asking for more memory than the limit is refused before allocating, even over a sparse file")
    func memory() throws {
        var head = MRCFormat.encode(Volume(nx: 1, ny: 1, nz: 1, voxelSize: 0.4))
        head = Array(head.prefix(MRCFormat.headerSize))
        for o in [0, 4, 8, 28, 32, 36] { setInt32(&head, o, 4096) }
        for o in [40, 44, 48] { setFloat(&head, o, 4096 * 0.4) }
        let path = TestSupport.temporaryFolder() + "/huge.mrc"
        try writeAtomically(head, to: path)
        // 4096³ floats (256 GiB) over a sparse file: no memory is touched.
        #expect(truncate(path, off_t(MRCFormat.headerSize) + off_t(4096) * 4096 * 4096 * 4) == 0)
        #expect(throws: EngineError.self) { try MRCFormat.read(path: path) }
        do { _ = try MRCFormat.read(path: path) } catch {
            #expect("\(error)".hasPrefix("\(path): map too large: 4096×4096×4096 voxels need 274.9 GB of memory, limit "))
        }
    }

    @Test("more data than the header accounts for is refused: the mode or the dimensions are wrong")
    func extraData() {
        let b = MRCFormat.encode(volume) + [UInt8](repeating: 0, count: 4 * 64)
        #expect(refusal(b) == "m.mrc: the header accounts for 2048 bytes of data (8×8×8 voxels of mode 2 after 0 bytes of extended header), but the file has 2304: its mode, dimensions or NSYMBT are wrong")
    }

    @Test("a corner beyond ±1e6 Å (NXSTART or ORIGIN) is refused")
    func origin() {
        var b = MRCFormat.encode(volume)
        setFloat(&b, 196, 3e7)
        #expect(refusal(b).hasPrefix("m.mrc: the map's corner lies at 3e+07 Å along x"))
        b = MRCFormat.encode(volume)
        setInt32(&b, 16, Int32.max)
        #expect(refusal(b).contains("beyond ±1e6 Å"))
    }

    @Test("extreme finite voxels are clipped to the map's own range, flagged, and model building does not trap")
    func extremeValues() throws {
        var spec = ParticleSpec(element: TestSupport.platinum)
        spec.atomCount = 55; spec.snr = 8; spec.seed = 2
        let particle = TestParticle.make(spec)
        for extremes in [[Float(-65504)], [3.4e38, 3.4e38], [-3.4e38, 1e30, 3.4e38]] {
            var map = particle.map
            for (n, v) in extremes.enumerated() { map.values[1000 + 7919 * n] = v }
            let path = TestSupport.temporaryFolder() + "/m.mrc"
            try MRCFormat.write(map, to: path)
            let read = try MRCFormat.read(path: path)
            #expect(read.flags.map(\.code) == [.extremeValues])
            #expect(read.flags.first?.reason.hasPrefix("\(extremes.count) voxel") == true)
            let r = buildModel(from: read, options: ModelBuildingOptions(element: TestSupport.platinum))
            #expect(r.flags.contains { $0.code == .extremeValues })
            #expect(matchAtoms(r.atoms.positions, particle.positions, tolerance: 0.8).pairs.count >= 52)
        }
        // An ordinary map is untouched, atom peaks and all.
        var plain = particle.map
        #expect(ExtremeValues.condition(&plain) == ExtremeValues.Report())
        #expect(plain.values == particle.map.values)
        // A map whose values are all enormous is scaled by a power of two, exactly.
        var huge = particle.map
        for i in huge.values.indices { huge.values[i] = huge.values[i] * 1e30 + 1e25 }
        let report = ExtremeValues.condition(&huge)
        #expect(report.clipped == 0 && report.scale < 1e-20)
        #expect(huge.values.allSatisfy { $0.isFinite && abs($0) <= 2 })
    }
}
