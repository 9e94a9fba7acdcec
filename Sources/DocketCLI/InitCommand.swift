import ArgumentParser
import EventLog
import Foundation

/// `docket init`: create the store.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create an empty store (owner-only folder) or confirm an existing one.",
        discussion: "Running it again on an existing store changes nothing.")

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let path = storeOptions.path
        try reportingFailures(store: path) {
            let existed = FileManager.default.fileExists(atPath: path + "/data.mdb")
            let store = try StoreAccess.create(path).store
            let head = try store.head()
            if existed {
                Terminal.out("Docket store at \(path) already exists (\(head.position) events).\n")
            } else {
                Terminal.out("Created an empty Docket store at \(path).\n")
            }
        }
    }
}
