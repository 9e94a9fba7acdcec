import Allocator
import Foundation
import Testing
import TestSupport

/// `docket` allocates with mimalloc, not the C library's allocator (Package.swift; Benchmarks/README.md, "The
/// allocator"): the dynamic linker binds the binary's `malloc` and `free`, and those of the libraries it loads, to
/// `libmimalloc`. The binding is what matters, not the library being loaded: a `libmimalloc` listed after the C library
/// would be loaded and never called.
@Suite struct AllocatorTests {
    /// The dynamic linker's report (`LD_DEBUG=bindings`, on stderr) of which library each of `docket --help`'s
    /// references to `symbol` was bound to: the library's file name, one per binding.
    static func bindings(of symbol: String) throws -> [String] {
        let run = try DocketProcess.runEmbedded(
            ["--help"], store: "/nonexistent", environment: ["LD_DEBUG": "bindings"], testClock: false)
        #expect(run.status == 0, "\(run.stderr.suffix(500))")
        // `binding file /path/docket [0] to /lib/x86_64-linux-gnu/libmimalloc.so.2 [0]: normal symbol `malloc' …`
        return run.stderr.split(separator: "\n").compactMap { line -> String? in
            guard line.contains("normal symbol `\(symbol)'"), let to = line.range(of: " to ") else { return nil }
            let target = line[to.upperBound...].prefix { $0 != " " }
            return String(target.split(separator: "/").last ?? "")
        }
    }

    @Test(arguments: ["malloc", "free", "realloc", "malloc_usable_size"])
    func everyReferenceIsBoundToMimalloc(symbol: String) throws {
        let targets = try Self.bindings(of: symbol)
        #expect(!targets.isEmpty, "the dynamic linker reported no binding of \(symbol)")
        #expect(targets.allSatisfy { $0.hasPrefix("libmimalloc") }, "\(symbol) bound to \(Set(targets).sorted())")
    }

    /// `docket` sets mimalloc's decommit delay at start (`AllocatorTuning.apply`, main.swift): the dynamic linker binds
    /// a function when it is first called, so the binding shows the call is made.
    @Test func docketSetsTheAllocatorsDefaultsAtStart() throws {
        // Bindings made for the executable itself (libmimalloc binds its own calls of the function too).
        let run = try DocketProcess.runEmbedded(
            ["--help"], store: "/nonexistent", environment: ["LD_DEBUG": "bindings"], testClock: false)
        let fromDocket = run.stderr.split(separator: "\n").filter {
            $0.contains("normal symbol `mi_option_set_default'") && $0.contains("binding file ") && $0.contains("/docket [")
        }
        #expect(!fromDocket.isEmpty, "docket never called mi_option_set_default")
        #expect(fromDocket.allSatisfy { $0.contains("/libmimalloc") }, "\(fromDocket)")
    }

    /// The defaults `apply` sets, read back from mimalloc in this process (the test binary links it as `docket` does):
    /// freed pages kept 250 ms before they go back to the system, where mimalloc's own default is 25 ms.
    @Test func freedPagesAreKept250MillisecondsBeforeTheyGoBackToTheSystem() throws {
        try #require(ProcessInfo.processInfo.environment["MIMALLOC_DECOMMIT_DELAY"] == nil, "set by the environment")
        try #require(ProcessInfo.processInfo.environment["MIMALLOC_RESET_DELAY"] == nil, "set by the environment")
        AllocatorTuning.apply()
        #expect(AllocatorTuning.decommitDelay == 250)
    }
}
