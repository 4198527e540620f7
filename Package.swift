// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "nanoatoms",
    products: [
        .library(name: "NanoAtomsEngine", targets: ["NanoAtomsEngine"]),
        .library(name: "NanoAtomsLanguage", targets: ["NanoAtomsLanguage"]),
        .executable(name: "nanoatoms", targets: ["nanoatoms"]),
        .executable(name: "nanoatoms-bench", targets: ["nanoatoms-bench"]),
    ],
    dependencies: [
        // Typed options, --help and --version for the one-shot commands.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // The science: maps, atoms, model building, analysis, reports. No terminal, no language.
        .target(name: "NanoAtomsEngine", dependencies: ["CKernels"]),
        // Three inner loops in C with vector instructions chosen at run time: the separable
        // filter's row sum and the joint fit's per-atom normal equations (AVX2 and FMA), and the
        // component sweep's neighbour merge (SSE4.1).
        .target(name: "CKernels"),
        // The command language and its interpreter; calls the engine, computes nothing itself.
        .target(name: "NanoAtomsLanguage", dependencies: ["NanoAtomsEngine"]),
        // GNU readline for the interactive shell (Debian: libreadline-dev).
        .systemLibrary(name: "CReadline", path: "Sources/CReadline", providers: [.apt(["libreadline-dev"])]),
        // The thin executable: the shell, scripts, and one-shot commands.
        .executableTarget(name: "nanoatoms", dependencies: ["NanoAtomsEngine", "NanoAtomsLanguage", "CReadline",
                                                           .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // Times every step of the pipeline on simulated maps.
        .executableTarget(name: "nanoatoms-bench", dependencies: ["NanoAtomsEngine"]),
        .testTarget(name: "NanoAtomsEngineTests", dependencies: ["NanoAtomsEngine"]),
        .testTarget(name: "NanoAtomsLanguageTests", dependencies: ["NanoAtomsLanguage", "NanoAtomsEngine"]),
    ]
)
