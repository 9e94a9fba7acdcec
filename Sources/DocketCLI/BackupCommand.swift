import ArgumentParser
import EventLog

/// `docket backup DEST`: a hot, compacted copy.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent, compacted copy of the store while others keep writing.",
        discussion: """
            Admin only. DEST must be a new or empty folder; it is written owner-only (folder 0700, files 0600).
            The copy is itself a store: `docket verify --store DEST`.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var actorOptions: ActorOptions
    @Argument(help: "The folder to write the copy into (new or empty).") var destination: String

    func run() throws {
        let path = storeOptions.path
        try reportingFailures(store: path) {
            let store = try StoreAccess.open(path).store
            try TrustRules.requireAdmin(actorOptions.name, store: store, to: "back up the store")
            let head = try store.head()
            try store.backup(to: destination)
            Terminal.out("backed up \(path) (at least \(head.position) events) to \(destination)\n")
        }
    }
}
