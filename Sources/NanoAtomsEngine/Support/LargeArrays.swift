#if canImport(Glibc)
import Glibc
#endif

/// Large arrays made without the cost of mapping their memory page by page.
///
/// A fresh multi-megabyte array is mapped by the kernel one 4 KB page at a time, each on
/// first touch (a fault and a zero-fill): reading a 256³ map into fresh storage spent more
/// time in those faults than in the copy. Asking for transparent huge pages on the array's
/// storage cuts the faults 512-fold where the kernel allows it (Linux's default "madvise"
/// mode); elsewhere the advice is ignored and nothing changes.
enum LargeArrays {
    /// Arrays smaller than this are left alone: the advice pays only over several huge pages.
    static let minimumBytes = 4 << 20
    /// The size of a transparent huge page on x86-64 and most arm64 kernels.
    static let hugePageBytes = 2 << 20

    /// An array of `count` elements written by `initialize`, which must initialise every one;
    /// its storage is advised to use huge pages before anything is written.
    static func make<T>(count: Int, _ initialize: (UnsafeMutableBufferPointer<T>) throws -> Void) rethrows -> [T] {
        try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            adviseHugePages(UnsafeMutableRawBufferPointer(buffer))
            try initialize(buffer)
            initialized = count
        }
    }

    /// An array of `count` copies of `value`, its storage advised to use huge pages.
    static func filled<T>(_ value: T, count: Int) -> [T] {
        make(count: count) { $0.initialize(repeating: value) }
    }

    /// Advises the kernel to back the whole huge pages inside `region` with huge pages.
    static func adviseHugePages(_ region: UnsafeMutableRawBufferPointer) {
        #if os(Linux)
        guard region.count >= minimumBytes, let base = region.baseAddress else { return }
        let start = (Int(bitPattern: base) + hugePageBytes - 1) & ~(hugePageBytes - 1)
        let end = (Int(bitPattern: base) + region.count) & ~(hugePageBytes - 1)
        guard end > start, let p = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(p, end - start, MADV_HUGEPAGE)
        #endif
    }
}

