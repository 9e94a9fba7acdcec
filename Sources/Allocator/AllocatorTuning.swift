import CMimalloc

/// How `docket` tunes its allocator, mimalloc (linked ahead of the C library: Package.swift), once at start.
///
/// mimalloc gives pages a thread freed back to the system (`madvise`) 25 ms after they were freed, by default. A bulk
/// fold (`rebuild`, `replay`, `import`, a store's catch-up) frees a batch's events, rows and buffers every few tens of
/// milliseconds and allocates as much again for the next: each batch faulted its pages back in. A 1M-event rebuild
/// took 104,000–126,000 page faults and ~0.5 s of system time; with freed pages kept 250 ms, 33,000–37,000 and ~0.3 s
/// (Benchmarks/README.md, "Freed pages kept 250 ms"). Longer keeps more memory for little more: a 10M replay's peak
/// private memory grew with the delay (1 s: 186 MiB, the goal is 200). A process that stops allocating (an idle
/// `docket serve`) still gives its pages back.
public enum AllocatorTuning {
    /// How long freed pages are kept before they go back to the system, in milliseconds.
    public static let decommitDelayMilliseconds = 250

    /// Sets mimalloc's defaults. Its own variables still win: `MIMALLOC_DECOMMIT_DELAY` (or its older name
    /// `MIMALLOC_RESET_DELAY`) set in the environment keeps its value (`mi_option_set_default` changes only an option
    /// the environment did not set).
    public static func apply() {
        mi_option_set_default(mi_option_decommit_delay, decommitDelayMilliseconds)
    }

    /// The delay mimalloc uses now, in milliseconds (tests).
    public static var decommitDelay: Int { mi_option_get(mi_option_decommit_delay) }
}
