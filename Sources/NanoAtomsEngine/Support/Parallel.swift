import Dispatch
import Foundation

/// How many threads the engine's parallel loops may use.
///
/// Every engine step that does large work takes a `threads` argument; this type
/// supplies its default and runs the loops.
public enum Parallel {
    /// The number of cores this process may use.
    public static var availableCores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Runs `body(chunk)` for `chunks` chunks, spread over at most `threads` threads.
    ///
    /// With one thread, or one chunk, the body runs on the calling thread, so small
    /// inputs pay no scheduling cost.
    public static func forEach(chunks: Int, threads: Int, _ body: (Int) -> Void) {
        guard chunks > 0 else { return }
        if threads <= 1 || chunks == 1 {
            for c in 0..<chunks { body(c) }
            return
        }
        // Hand chunks out through a shared counter so that uneven chunks balance.
        let workers = min(threads, chunks)
        let counter = AtomicCounter()
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    let c = counter.next()
                    if c >= chunks { break }
                    box.value(c)
                }
            }
        }
    }

    /// Splits `0..<count` into about `4 × threads` ranges and runs `body(range)` on each in parallel.
    public static func forRanges(_ count: Int, threads: Int, minimumChunk: Int = 1024, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let pieces = max(1, min(threads * 4, count / max(1, minimumChunk)))
        let step = (count + pieces - 1) / pieces
        forEach(chunks: pieces, threads: threads) { c in
            let lo = c * step
            let hi = min(count, lo + step)
            if lo < hi { body(lo..<hi) }
        }
    }
}

/// A value the programmer vouches may cross threads: used for closures and buffers
/// whose parallel use touches disjoint elements only.
package struct UncheckedSendable<Value>: @unchecked Sendable {
    /// The wrapped value.
    package let value: Value
    /// Wraps `value`.
    package init(_ value: Value) { self.value = value }
}

/// A lock-protected counter that hands out 0, 1, 2, ... to competing threads.
final class AtomicCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func next() -> Int {
        lock.lock(); defer { lock.unlock() }
        let v = value
        value += 1
        return v
    }
}
