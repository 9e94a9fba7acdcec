import ArgumentParser
import DocketApp
import Foundation

/// `docket init`: create the store and its first admin.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create an empty store (owner-only folder) and its first admin, or confirm an existing one.",
        discussion: """
            The first admin is --admin, else the acting user ($DOCKET_USER, else the OS user). \
            Running it again on an existing store changes nothing. \
            --test-clock makes a store for tests and scripted demos: only such a store honours $DOCKET_NOW (a fixed \
            clock); every other store refuses it. It can only be chosen when the store is created.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var actorOptions: ActorOptions
    @Option(help: "The first admin's login (default: the acting user).") var admin: String?
    @Option(help: "The first admin's display name.") var name: String?
    @Option(help: "The first admin's email (default: LOGIN@localhost.localdomain).") var email: String?
    @Flag(help: "Create a store for tests: it honours $DOCKET_NOW (refused by every other store).") var testClock = false

    func run() throws {
        let path = storeOptions.path
        try reportingFailures(store: path) {
            let existed = FileManager.default.fileExists(atPath: path + "/data.mdb")
            let session = try StoreAccess.create(path, testClock: testClock)
            let login = admin ?? actorOptions.name
            let created = try session.app.directory.bootstrapAdmin(
                login: login, name: name ?? login, email: email ?? "\(login)@localhost.localdomain")
            let head = try session.log.head()
            if existed {
                Terminal.out("Docket store at \(path) already exists (\(head.position) events).\n")
            } else {
                Terminal.out("Created an empty Docket store at \(path).\n")
            }
            if created { Terminal.out("Added \(login) as the first admin.\n") }
        }
    }
}
