import ArgumentParser
import DocketApp
import Foundation

/// `--store`: where the embedded store lives.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The store folder.", discussion: "Default: $DOCKET_STORE, else ./docket-data."))
    var store: String?

    /// The folder to use: the flag, else `$DOCKET_STORE`, else `./docket-data`; inside the server, the served store.
    var path: String {
        if ServedInvocation.current != nil, let served = ServedStore.current { return served.log.path }
        if let store, !store.isEmpty { return store }
        if let env = ProcessInfo.processInfo.environment["DOCKET_STORE"], !env.isEmpty { return env }
        return "docket-data"
    }

    func validate() throws {
        if store != nil, ServedInvocation.current != nil {
            throw ValidationError("--store names an embedded store; through a server (DOCKET_SERVER) the server's store is used: drop --store")
        }
    }
}

/// `--as`: who is acting.
struct ActorOptions: ParsableArguments {
    @Option(name: .customLong("as"), help: ArgumentHelp("Act as this user.", discussion: "Default: $DOCKET_USER, else the OS user."))
    var actor: String?

    /// The acting user: the flag, else `$DOCKET_USER`, else the OS user name; inside the server, the caller the
    /// server identified (token or peer uid), always. Empty only where ``validate()`` refused it.
    var name: String {
        if let served = ServedInvocation.current { return served.actor }
        if let actor { return actor }
        let env = ProcessInfo.processInfo.environment
        if let user = env["DOCKET_USER"] { return user }
        return Self.osUser(env)
    }

    /// The OS user's name: `$USER`, else `$LOGNAME`, else the account's (an empty variable counts as unset).
    private static func osUser(_ env: [String: String]) -> String {
        [env["USER"], env["LOGNAME"]].compactMap { $0 }.first { !$0.isEmpty } ?? NSUserName()
    }

    func validate() throws {
        guard ServedInvocation.current == nil else {
            if actor != nil {
                throw ValidationError(
                    "--as is refused through a server (DOCKET_SERVER): you act as the user your token or OS account identifies")
            }
            return
        }
        // An empty name must not fall through to the next source: that is often the OS account, an admin.
        if actor?.isEmpty == true {
            throw ValidationError("--as needs a login, e.g. --as bob; leave it out to act as $DOCKET_USER or your OS user")
        }
        let env = ProcessInfo.processInfo.environment
        if actor == nil, env["DOCKET_USER"]?.isEmpty == true {
            throw ValidationError("$DOCKET_USER is set but empty; set it to your login (DOCKET_USER=bob) or unset it to act as your OS user")
        }
        if actor == nil, env["DOCKET_USER"] == nil, Self.osUser(env).isEmpty {
            throw ValidationError("no acting user: $USER is empty and the OS account has no name; give --as LOGIN or set $DOCKET_USER")
        }
    }
}

/// `--json`: machine-readable output.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false
}

/// The clock the CLI uses: the system clock, or `$DOCKET_NOW` (RFC 3339) when set. The override is honoured only by
/// stores created with `docket init --test-clock` (``StoreAccess/create(_:clock:testClock:)`` refuses it elsewhere).
func currentClock() throws -> any WallClock {
    if let moment = ServedInvocation.current?.asOf?.moment { return FixedClock(moment) }
    return try clockOverride() ?? SystemClock()
}

/// `$DOCKET_NOW` as a fixed clock, nil when unset.
func clockOverride() throws -> FixedClock? {
    guard let fixed = ProcessInfo.processInfo.environment["DOCKET_NOW"], !fixed.isEmpty else { return nil }
    guard let instant = Timestamp(iso8601: fixed) else {
        throw CLIError.usage("$DOCKET_NOW '\(fixed)' is not an RFC 3339 time; use e.g. 2026-11-03T14:00:00Z or unset it")
    }
    return FixedClock(instant)
}

/// `--command-id`: makes a retried command write nothing the second time.
struct WriteOptions: ParsableArguments {
    @Option(help: ArgumentHelp("An id for this command; retrying with the same id writes nothing.", valueName: "id"))
    var commandId: String?

    func validate() throws {
        if let commandId, let problem = CommandIds.problem(commandId, "--command-id") { throw ValidationError(problem) }
    }
}
