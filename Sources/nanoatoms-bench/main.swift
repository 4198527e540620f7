// nanoatoms-bench: times every step of the pipeline on simulated maps of several box sizes,
// at 1 and 2 threads, with peak memory, side by side with the scipy baseline.
//
//   swift run -c release nanoatoms-bench [--sizes 128,160,256,320] [--threads 1,2] [--runs 5]
//                                        [--atoms 561] [--snr 6.7] [--baseline DIR | --no-baseline]
//
// Each (map, threads) configuration runs in a child process of its own so that its peak
// memory (VmHWM) is its own.
import Foundation
import NanoAtomsEngine

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "--child" {
    runChild(Array(arguments.dropFirst()))
} else {
    runBenchmark(arguments)
}
