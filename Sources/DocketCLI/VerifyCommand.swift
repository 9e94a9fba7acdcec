import ArgumentParser
import EventLog
import Foundation

/// `docket verify`: recompute the hash chain and check the indexes.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute the SHA-256 hash chain and check every index against the events.",
        discussion: "Exits 0 when the store is sound, 2 when it is damaged, naming the first bad position.")

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let path = storeOptions.path
        try reportingFailures(store: path) {
            let store = try StoreAccess.open(path).store
            let report = try store.verify { done, total in Terminal.progress("verifying", done, total) }
            if output.json {
                let object: [String: Any] = [
                    "ok": report.isClean, "events": report.eventsChecked, "streams": report.streamsChecked,
                    "head": report.head, "firstBadPosition": report.firstBadPosition.map { $0 as Any } ?? NSNull(),
                    "problems": report.problems.map(\.description),
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                Terminal.out(String(decoding: data, as: UTF8.self) + "\n")
            } else if report.isClean {
                Terminal.out("ok: \(report.eventsChecked) events in \(report.streamsChecked) streams, hash chain and indexes intact\n")
            } else {
                for problem in report.problems { Terminal.out("\(problem)\n") }
            }
            if !report.isClean {
                let first = report.firstBadPosition.map { "the first bad position is \($0)" } ?? "an index is damaged"
                throw CLIError.damaged("the store at \(path) failed verification: \(first); restore from a backup")
            }
        }
    }
}
