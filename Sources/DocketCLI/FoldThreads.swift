import ArgumentParser
import Foundation

/// `--threads N`: how many threads the bulk fold of the read models uses (`docket rebuild`, `replay`, `import`).
/// Default: `$DOCKET_FOLD_THREADS`, which every command honours (the catch-up of a store's read models when it opens,
/// the server's replays), else the processors available. 1 folds the models one after the other; the read models'
/// bytes are the same for any count.
struct FoldThreadsOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The threads to fold the read models on, 1 to \(FoldThreadCount.maximum) (1: one model after the other).",
            discussion: "Default: $DOCKET_FOLD_THREADS, else the processors available.", valueName: "n"))
    var threads: FoldThreadCount?

    /// The count to use: the option, else `$DOCKET_FOLD_THREADS`, else nil (the processors available).
    func resolved() throws -> Int? {
        if let threads { return threads.count }
        return try foldThreadsSetting()
    }
}

/// A count of fold threads, from 1 to `maximum`.
struct FoldThreadCount: ExpressibleByArgument {
    /// More threads than read models fold nothing more (a task is one model); 64 leaves room.
    static let maximum = 64
    let count: Int

    init?(argument: String) {
        guard let count = Int(argument), (1...FoldThreadCount.maximum).contains(count) else { return nil }
        self.count = count
    }
}

/// `$DOCKET_FOLD_THREADS` (in `environment`), nil when unset or empty; a value that is not a count from 1 to
/// `FoldThreadCount.maximum` is refused with one line.
func foldThreadsSetting(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int? {
    guard let text = environment["DOCKET_FOLD_THREADS"], !text.isEmpty else { return nil }
    guard let setting = FoldThreadCount(argument: text) else {
        throw CLIError.usage(
            "$DOCKET_FOLD_THREADS '\(text)' is not a thread count from 1 to \(FoldThreadCount.maximum); set e.g. DOCKET_FOLD_THREADS=2, or unset it")
    }
    return setting.count
}
