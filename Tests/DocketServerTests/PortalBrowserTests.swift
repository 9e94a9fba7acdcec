import Foundation
import TestSupport
import Testing

/// What the real-browser test needs: Debian's `chromium` and `chromium-driver`, and Selenium for Python
/// (scripts/ensure-deps.sh installs them).
enum BrowserTools {
    static var available: Bool { python != nil }

    /// The Python that has Selenium: the `python3` first on the PATH, else Debian's own (`python3-selenium` installs
    /// there; a pyenv or virtualenv `python3` ahead of it on the PATH need not have it). Nil without Chromium and its
    /// driver.
    static let python: String? = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
        else { return nil }
        return ["python3", "/usr/bin/python3"].first { imports(selenium: $0) }
    }()

    private static func imports(selenium python: String) -> Bool {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = [python, "-c", "import selenium"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }

    /// The package's root, from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// Issue 13, "a real browser": headless Chromium driven by Selenium (scripts/portal-browser-test.py) against
/// `docket serve` on loopback. A contact asks for a link, follows it from the outbox, sees only their client's tickets,
/// opens one and sees the tech's public reply and not the internal note, replies, opens a ticket and signs out; a
/// contact of another client is refused the first one's ticket URLs; a form without its CSRF token is refused.
/// Screenshots go to `.build/artefacts/portal-browser/` (never committed). The browser run is bounded to 3 minutes.
@Suite(.serialized, .enabled(if: BrowserTools.available, "chromium, chromium-driver or python3-selenium is missing (scripts/ensure-deps.sh installs them)"))
struct PortalBrowserTests {
    @Test func aContactWorksTheirTicketsInARealBrowserAndAnotherClientsContactIsRefused() throws {
        let served = try PortalRoutesTests.served()
        let before = try served.docket(["ticket", "show", "T-1002", "--json"]).stdout
        let shots = BrowserTools.root.appendingPathComponent(".build/artefacts/portal-browser").path
        try? FileManager.default.removeItem(atPath: shots)
        let script = BrowserTools.root.appendingPathComponent("scripts/portal-browser-test.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [try #require(BrowserTools.python), script, "--base", served.address, "--docket", DocketProcess.executable, "--store", served.store, "--shots", shots]
        var environment = ProcessInfo.processInfo.environment
        environment["TZ"] = "UTC"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let deadline = DispatchTime.now() + .seconds(180)
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: deadline, execute: watchdog)
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        watchdog.cancel()
        #expect(process.terminationStatus == 0, "\(printed)")
        #expect(printed.contains("PASSED"), "\(printed)")

        // What the browser did is in the log, as the contact: a reply on T-1001 and a new ticket; Globex's ticket is
        // untouched by the refused, token-less reply.
        let history = try served.docket(["ticket", "show", "T-1001", "--json"]).stdout
        #expect(history.contains("contact:acme-1") && history.contains("Printing works again"))
        let opened = try served.docket(["ticket", "show", "T-1003", "--json"]).stdout
        #expect(opened.contains("VPN drops every hour") && opened.contains("ticket.attachment-added.v1") && opened.contains("router-lights.png"))
        #expect(try served.docket(["ticket", "show", "T-1002", "--json"]).stdout == before)
        let pictures = (try? FileManager.default.contentsOfDirectory(atPath: shots)) ?? []
        #expect(pictures.filter { $0.hasSuffix(".png") }.count >= 10)
    }
}
