import Foundation
import Testing
import NanoAtomsEngine

@Suite("MRC2014 reading and writing")
struct MRCFormatTests {
    let volume = TestSupport.rampVolume()

    @Test("a mode-2 file written and read back gives the same map, grid and position")
    func roundTrip() throws {
        let folder = TestSupport.temporaryFolder()
        try MRCFormat.write(volume, to: folder + "/a.mrc")
        let back = try MRCFormat.read(path: folder + "/a.mrc")
        #expect(back == volume)
    }

    @Test("every supported mode reads back the integer values written", arguments: [Int32(0), 1, 2, 6, 12])
    func modes(mode: Int32) throws {
        var v = volume
        if mode == 6 { v.values = v.values.map { $0 + 60 } }          // unsigned
        if mode == 0 { v.values = v.values.map { max(-128, min(127, $0)) } }
        var layout = MRCFormat.Layout()
        layout.mode = mode
        let back = try MRCFormat.decode(MRCFormat.encode(v, layout: layout), name: "m.mrc")
        #expect(back.values == v.values)
        #expect(back.origin == v.origin)
        #expect(abs(back.voxelSize - v.voxelSize) < 1e-6)
    }

    @Test("big-endian files are read by their machine stamp")
    func bigEndian() throws {
        var layout = MRCFormat.Layout()
        layout.bigEndian = true
        let bytes = MRCFormat.encode(volume, layout: layout)
        #expect(bytes[212] == 0x11)
        #expect(try MRCFormat.decode(bytes, name: "be.mrc") == volume)
        layout.mode = 1
        #expect(try MRCFormat.decode(MRCFormat.encode(volume, layout: layout), name: "be1.mrc").values == volume.values)
    }

    @Test("permuted axes and start indices load to the same voxels at the same positions",
          arguments: [(Int32(3), Int32(1), Int32(2)), (2, 3, 1), (3, 2, 1), (1, 3, 2)])
    func axisOrder(order: (Int32, Int32, Int32)) throws {
        var layout = MRCFormat.Layout()
        layout.axisOrder = order
        layout.start = (4, -3, 7)
        let back = try MRCFormat.decode(MRCFormat.encode(volume, layout: layout), name: "p.mrc")
        #expect(back.values == volume.values)
        #expect((back.origin - volume.origin).length < 1e-5)
    }

    @Test("the header's start indices move the map by start × voxel size")
    func startIndices() throws {
        var bytes = MRCFormat.encode(volume)
        // NXSTART = 2 (little-endian int32 at byte 16); ORIGIN stays as written.
        bytes[16] = 2
        let back = try MRCFormat.decode(bytes, name: "s.mrc")
        #expect(abs(back.origin.x - (volume.origin.x + 2 * volume.voxelSize)) < 1e-6)
    }

    @Test("an extended header is skipped")
    func extendedHeader() throws {
        var layout = MRCFormat.Layout()
        layout.extendedHeaderBytes = 4 * 17
        #expect(try MRCFormat.decode(MRCFormat.encode(volume, layout: layout), name: "x.mrc") == volume)
    }

    @Test("a voxel size can be given when the header has none, and is required then")
    func missingVoxelSize() throws {
        var layout = MRCFormat.Layout()
        layout.recordsVoxelSize = false
        let bytes = MRCFormat.encode(volume, layout: layout)
        #expect(throws: EngineError.self) { try MRCFormat.decode(bytes, name: "nov.mrc") }
        let v = try MRCFormat.decode(bytes, name: "nov.mrc", voxelSize: 0.358)
        #expect(v.voxelSize == 0.358)
        #expect(v.values == volume.values)
    }

    /// The error message for `bytes`, which must be refused.
    func refusal(_ bytes: [UInt8], voxelSize: Double? = nil) -> String {
        do {
            _ = try MRCFormat.decode(bytes, name: "bad.mrc", voxelSize: voxelSize)
            return "accepted"
        } catch let e as EngineError {
            return e.description
        } catch {
            return "\(error)"
        }
    }

    func setInt32(_ bytes: inout [UInt8], _ offset: Int, _ value: Int32) {
        let u = UInt32(bitPattern: value)
        for b in 0..<4 { bytes[offset + b] = UInt8((u >> (8 * UInt32(b))) & 0xFF) }
    }

    @Test("malformed files are refused with one line naming the file and the fault")
    func malformed() {
        let good = MRCFormat.encode(volume)
        #expect(refusal(Array(good.prefix(500))).hasPrefix("bad.mrc: not an MRC file"))
        #expect(refusal(Array(good.dropLast(7))).hasPrefix("bad.mrc: truncated"))
        var b = good; setInt32(&b, 0, 0)
        #expect(refusal(b).contains("absurd dimension NX = 0"))
        b = good; setInt32(&b, 8, 2_000_000)
        #expect(refusal(b).contains("absurd dimension NZ"))
        b = good; setInt32(&b, 12, 7)
        #expect(refusal(b).contains("unsupported data mode 7"))
        b = good; setInt32(&b, 64, 2)
        #expect(refusal(b).contains("is not an ordering of 1 2 3"))
        b = good; setInt32(&b, 40, 0)
        #expect(refusal(b).contains("no voxel size"))
        #expect(refusal(good, voxelSize: 0) == "bad.mrc: the voxel size must lie between 0.05 and 5 Å, not 0")
        b = good; setInt32(&b, 92, 1 << 20)
        #expect(refusal(b).contains("extended header"))
        var nan = volume; nan.values[7] = .nan; nan.values[9] = .infinity
        #expect(refusal(MRCFormat.encode(nan)) == "bad.mrc: 2 voxel values are NaN or infinite (the first at data index 7)")
        for message in [refusal(Array(good.prefix(500))), refusal(b)] { #expect(!message.contains("\n")) }
    }

    @Test("a file read piece by piece still finds every NaN and infinity, in any piece")
    func nonFiniteInLaterPieces() throws {
        // 72³ values: more than one megabyte-sized piece of the verbatim read.
        var big = Volume(nx: 72, ny: 72, nz: 72, voxelSize: 0.5, fill: 1)
        big.values[300_000] = .nan; big.values[big.count - 1] = -.infinity
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nanoatoms-nan-\(getpid()).mrc").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try MRCFormat.write(big, to: path)
        #expect(throws: EngineError("2 voxel values are NaN or infinite (the first at data index 300000)", file: path)) {
            try MRCFormat.read(path: path)
        }
        big.values[300_000] = 2; big.values[big.count - 1] = 3
        // A file this process read is never written over: the repaired map goes beside it.
        #expect(throws: EngineError("refusing to overwrite an input of this session", file: path)) { try MRCFormat.write(big, to: path) }
        let repaired = path + ".fixed.mrc"
        defer { try? FileManager.default.removeItem(atPath: repaired) }
        try MRCFormat.write(big, to: repaired)
        #expect(try MRCFormat.read(path: repaired).values == big.values)
    }

    @Test("a missing file is named in the error")
    func missingFile() {
        #expect(throws: EngineError("no such file", file: "/nonexistent/map.mrc")) {
            try MRCFormat.read(path: "/nonexistent/map.mrc")
        }
    }

    @Test("float16 conversion is exact for representable values")
    func half() {
        for v: Float in [0, 1, -2, 0.5, 1024, 65504, 6.103515625e-05, -3.5] {
            #expect(MRCFormat.halfToFloat(MRCFormat.floatToHalf(v)) == v)
        }
    }

    @Test("mrcfile and gemmi read our files as we wrote them, and we read theirs",
          .enabled(if: TestSupport.pythonHas("mrcfile", "gemmi", "numpy")))
    func independentReaders() throws {
        let folder = TestSupport.temporaryFolder()
        try MRCFormat.write(volume, to: folder + "/ours.mrc")
        let report = try TestSupport.runPython("""
            import sys, mrcfile, gemmi, numpy as np
            p = sys.argv[1]
            with mrcfile.open(p) as m:
                d = m.data
                print(d.shape, float(d[2, 1, 3]), float(m.voxel_size.x), float(m.header.origin.x))
            g = gemmi.read_ccp4_map(p)
            print(g.grid.nu, g.grid.nv, g.grid.nw, round(g.grid.get_value(3, 1, 2), 3))
            with mrcfile.new(sys.argv[2], overwrite=True) as m:
                a = np.arange(60, dtype=np.float32).reshape(3, 4, 5)
                m.set_data(a); m.voxel_size = 0.7
            """, arguments: [folder + "/ours.mrc", folder + "/theirs.mrc"])
        let lines = report.split(separator: "\n").map(String.init)
        #expect(lines[0] == "(3, 4, 5) \(volume[3, 1, 2]) 0.5 1.5")
        #expect(lines[1] == "5 4 3 \(volume[3, 1, 2])")
        let theirs = try MRCFormat.read(path: folder + "/theirs.mrc")
        #expect(theirs.nx == 5 && theirs.ny == 4 && theirs.nz == 3)
        #expect(abs(theirs.voxelSize - 0.7) < 1e-6)
        #expect(theirs[4, 3, 2] == 59 && theirs[1, 0, 0] == 1 && theirs[0, 1, 0] == 5)
    }
}
