import ArgumentParser
import DocketApp

/// `docket anchor --to PATH`: keep a copy of the log's head somewhere else.
struct AnchorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anchor",
        abstract: "Append the log's head (position, hash, time) to a file kept elsewhere.",
        discussion: """
            The store writes every head to its own `anchors` file; someone who can write both that file and \
            data.mdb can rewrite both. A copy on a disk or remote they cannot write defeats that:
            `docket anchor --to /mnt/offsite/docket-anchors` (from cron), then `docket verify --anchors \
            /mnt/offsite/docket-anchors`. See docs/security.md.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "The file to append the anchor to (created owner-only when missing).") var to: String

    func run() throws {
        let path = storeOptions.path
        try reportingFailures(store: path) {
            try HostFiles.requireAccess(to: "write --to \(to)", instead: "run `docket anchor` on the server's host (from cron)")
            let store = try StoreAccess.open(path).log
            let anchor: Anchor
            do {
                anchor = try store.anchor(to: to)
            } catch {
                guard let message = ApplicationFailure.logCorruption(error) else { throw error }
                throw CLIError.destination("\(message); check the folder exists and is writable")
            }
            // The head's time for the person (or cron mail) reading it: this machine's zone, named. `anchor` runs on
            // the store's host and acts as nobody (no --as); the anchors file itself keeps RFC 3339 UTC.
            let time = PeopleTime.machine()
            Terminal.out("anchored position \(anchor.position) (\(anchor.hash.hex.prefix(16))…, \(time.text(anchor.recordedAt))) to \(to)\n")
        }
    }
}
