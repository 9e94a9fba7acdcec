import Foundation
import TestSupport
import Testing

extension SLACommandsTests {
    /// Makes the store's anchors file a link to a missing place: every commit then warns that it was not anchored
    /// (`EventStore.warnings`), and the command goes on.
    func breakAnchors() throws {
        let anchors = store + "/anchors"
        try FileManager.default.removeItem(atPath: anchors)
        try FileManager.default.createSymbolicLink(atPath: anchors, withDestinationPath: folder.child("missing/anchors"))
    }

    /// The store's own warnings (`EventStore.warnings`: a commit it could not anchor, a snapshot it will not use) were
    /// written raw on the server's stderr under `docket serve` (`docket: warning: position 11 was committed but not
    /// anchored …`), whichever client's command caused them, and that client was told nothing. They go where the other
    /// warnings go now: a client's command's to that client's stderr, as embedded.
    @Test(arguments: DocketMode.allCases) func aCommandsStoreWarningsReachItsCaller(_ mode: DocketMode) throws {
        try setUp()
        try breakAnchors()
        let at = "2026-11-09T14:00:00Z"
        try mode.run(serverEnvironment: ["DOCKET_NOW": at]) {
            let opened = try docket(["ticket", "open", "--client", "acme", "--subject", "Printer"], at: at, as: "bob")
            #expect(opened.status == 0 && opened.stdout == "T-1001\n", "\(opened.stderr)")
            #expect(opened.stderr.hasPrefix("docket: warning: position "), "\(opened.stderr)")
            #expect(
                opened.stderr.contains("was committed but not anchored (cannot open the anchors file \(store)/anchors: No such file or directory)"),
                "\(opened.stderr)")
        }
    }

    /// The work the server does by itself (a `--tick-every` tick) logs the store's warnings with the server's logger, as
    /// the tick's, at level warning: they were raw lines among the logger's.
    @Test func theServersOwnWorkLogsTheStoresWarningsWithItsLogger() throws {
        try setUp()
        try docket(["user", "add", "scheduler", "--name", "Scheduler", "--email", "scheduler@msp.example", "--role", "dispatcher", "--kind", "service"], at: Self.setUpTime)
        try docket(["ticket", "open", "--client", "acme", "--subject", "Server down", "--priority", "P1"], at: "2026-11-09T14:20:00Z", as: "bob")
        try breakAnchors()
        let (server, _, output, errors) = try DocketProcess.start(
            ["serve", "--no-socket", "--listen", "127.0.0.1:0", "--tick-every", "1s", "--service-user", "scheduler"],
            store: store, environment: ["DOCKET_NOW": "2026-11-09T15:00:00Z", "LOG_LEVEL": "info"])
        defer {
            if server.isRunning { kill(server.processIdentifier, SIGKILL) }
        }
        #expect(try ServerScope.firstLine(output.fileHandleForReading, within: 60).hasPrefix("docket: listening on http://"))
        // The tick's results are logged after the commit that warned: read the log up to them.
        var lines: [String] = []
        while !lines.contains(where: { $0.contains("tick: T-1001: SLA") }), lines.count < 100 {
            lines.append(try ServerScope.firstLine(errors.fileHandleForReading, within: 60))
        }
        server.terminate()
        server.waitUntilExit()
        let warning = try #require(lines.first { $0.contains("was committed but not anchored") }, "\(lines)")
        #expect(warning.first?.isNumber == true && warning.contains(" warning docket: [") && warning.contains("tick: position "), "\(warning)")
        #expect(!lines.contains { $0.hasPrefix("docket: warning:") }, "nothing raw: \(lines)")
    }
}
