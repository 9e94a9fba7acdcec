import Foundation
import Testing

/// The feature services depend on each other in one direction only (docs/architecture.md, "Feature services").
/// The compiler already refuses a cycle of stored services (a struct cannot contain itself); this test reads the
/// sources so that a service cannot reach another one by other means either (building one, or naming the root).
@Suite struct ServiceGraphTests {
    /// Each service's folder under `Sources/DocketApp`, and the services it may use.
    static let allowed: [String: (folder: String, uses: Set<String>)] = [
        "DirectoryService": ("Directory", []),
        "OutboxService": ("Outbox", []),
        "BillingService": ("Billing", ["DirectoryService"]),
        "SLAService": ("SLA", ["DirectoryService"]),
        "TicketService": ("Tickets", ["DirectoryService", "BillingService"]),
        "IntakeService": ("Intake", ["DirectoryService", "TicketService"]),
        "PortalService": ("Portal", ["DirectoryService", "TicketService", "BillingService"]),
    ]

    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/DocketApp")

    /// The service types (and the root) that `folder`'s Swift files name outside comments.
    static func referencedServices(in folder: String) throws -> Set<String> {
        let names = Set(allowed.keys).union(["DocketApplication"])
        let directory = sources.appendingPathComponent(folder)
        var found: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") {
                let code = line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                for name in names where code.contains(name) { found.insert(name) }
            }
        }
        return found
    }

    @Test(arguments: Array(allowed.keys).sorted())
    func aServiceNamesOnlyTheServicesItMayUse(_ service: String) throws {
        let (folder, uses) = try #require(Self.allowed[service])
        let named = try Self.referencedServices(in: folder).subtracting([service])
        #expect(named.isSubset(of: uses), "\(folder)/ names \(named.subtracting(uses).sorted()), which \(service) may not use")
    }

    @Test func theAllowedGraphHasNoCycle() {
        var visiting: Set<String> = []
        var done: Set<String> = []
        func visit(_ node: String) -> Bool {
            if done.contains(node) { return true }
            if visiting.contains(node) { return false }
            visiting.insert(node)
            defer { visiting.remove(node) }
            for next in Self.allowed[node]?.uses ?? [] where !visit(next) { return false }
            done.insert(node)
            return true
        }
        for node in Self.allowed.keys { #expect(visit(node), "a cycle through \(node)") }
    }
}
