import Foundation

/// The bytes of an 8-bit greyscale PNG of `width` × `height` pixels, rows top to bottom.
///
/// The image data is stored uncompressed (deflate "stored" blocks): slices are small, and this
/// needs no compression library. A PNG reader accepts it like any other.
package func greyscalePNG(width: Int, height: Int, pixels: [UInt8]) -> [UInt8] {
    precondition(pixels.count == width * height && width > 0 && height > 0)
    var raw: [UInt8] = []
    raw.reserveCapacity((width + 1) * height)
    for row in 0..<height {
        raw.append(0)  // filter type 0: none
        raw.append(contentsOf: pixels[(row * width)..<((row + 1) * width)])
    }
    var zlib: [UInt8] = [0x78, 0x01]  // deflate, 32 KiB window, no preset dictionary
    var offset = 0
    repeat {
        let length = min(65535, raw.count - offset)
        let final: UInt8 = offset + length == raw.count ? 1 : 0
        zlib.append(final)
        zlib.append(contentsOf: [UInt8(length & 0xff), UInt8(length >> 8), UInt8(~length & 0xff), UInt8((~length >> 8) & 0xff)])
        zlib.append(contentsOf: raw[offset..<(offset + length)])
        offset += length
    } while offset < raw.count
    zlib.append(contentsOf: bigEndian32(adler32(raw)))

    var png: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
    var header = bigEndian32(UInt32(width)) + bigEndian32(UInt32(height))
    header += [8, 0, 0, 0, 0]  // 8 bits, greyscale, deflate, adaptive filtering, no interlace
    appendChunk("IHDR", header, to: &png)
    appendChunk("IDAT", zlib, to: &png)
    appendChunk("IEND", [], to: &png)
    return png
}

private func appendChunk(_ type: String, _ data: [UInt8], to png: inout [UInt8]) {
    let typeBytes = Array(type.utf8)
    png += bigEndian32(UInt32(data.count))
    png += typeBytes
    png += data
    png += bigEndian32(crc32(typeBytes + data))
}

private func bigEndian32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)] }

/// CRC-32 as PNG defines it (polynomial 0xEDB88320, reflected).
package func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xffff_ffff
    for b in bytes {
        crc ^= UInt32(b)
        for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1 }
    }
    return ~crc
}

/// Adler-32 as zlib defines it.
package func adler32(_ bytes: [UInt8]) -> UInt32 {
    var a: UInt32 = 1, b: UInt32 = 0
    for byte in bytes {
        a = (a + UInt32(byte)) % 65521
        b = (b + a) % 65521
    }
    return (b << 16) | a
}
