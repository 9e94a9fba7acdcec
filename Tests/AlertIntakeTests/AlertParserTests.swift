import AlertIntake
import DocketTime
import Foundation
import Testing

/// The captured Alertmanager deliveries in Tests/Fixtures/alerts/alertmanager.
enum Fixtures {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures/alerts/alertmanager")

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(name + ".json")))
    }
}

@Suite struct AlertmanagerTests {
    @Test func aGroupThatIsPartlyResolvedIsDecidedPerAlert() throws {
        let batch = try AlertParser.parse(try Fixtures.bytes("004-grouped-partial-resolved-status-firing"), format: .alertmanager)
        #expect(batch.alerts.map(\.status) == [.firing, .firing, .resolved])
        #expect(batch.alerts.map(\.fingerprint) == ["4f660d0b61892ebc", "b3f08d6c41e4bbdd", "19dc19e3a28bf8bc"])
        let resolved = batch.alerts[2]
        #expect(resolved.device == "ws-002.globex.local:9182")
        #expect(resolved.endsAt == Timestamp(iso8601: "2026-11-29T00:44:45.393Z"))
        #expect(batch.alerts[0].endsAt == nil, "0001-01-01 means not ended")
        #expect(batch.alerts.allSatisfy { $0.client == "globex" && $0.check == "DiskSpaceLow" && $0.severity == "warning" })
        #expect(batch.alerts[0].summary == "Disk C: on fs-01.globex.local below 10% free")
    }

    @Test func truncatedDeliveriesSayHowManyWereLeftOut() throws {
        let batch = try AlertParser.parse(try Fixtures.bytes("001-truncated-max_alerts2-firing"), format: .alertmanager)
        #expect(batch.alerts.count == 2)
        #expect(batch.truncated == 2)
        #expect(batch.alerts.allSatisfy { $0.client == nil && $0.severity == "critical" && $0.check == "BackupJobFailed" })
    }

    @Test(arguments: [
        ("002-grouped-3-firing", 3, 0), ("003-single-firing", 1, 0), ("005-single-resolved", 0, 1),
        ("006-grouped-all-resolved", 0, 3), ("007-truncated-max_alerts2-resolved", 0, 2),
    ])
    func everyCapturedDeliveryParses(name: String, firing: Int, resolved: Int) throws {
        let batch = try AlertParser.parse(try Fixtures.bytes(name), format: .alertmanager)
        #expect(batch.alerts.filter { $0.status == .firing }.count == firing)
        #expect(batch.alerts.filter { $0.status == .resolved }.count == resolved)
        #expect(batch.groupKey?.isEmpty == false)
    }

    @Test func theSameConditionKeepsItsFingerprintFromFiringToResolved() throws {
        let firing = try AlertParser.parse(try Fixtures.bytes("003-single-firing"), format: .alertmanager).alerts[0]
        let resolved = try AlertParser.parse(try Fixtures.bytes("005-single-resolved"), format: .alertmanager).alerts[0]
        #expect(firing.fingerprint == resolved.fingerprint)
        #expect(firing.client == "acme-corp")
    }

    @Test(arguments: ["", "{", "[]", #"{"alerts":[{"status":"firing","labels":{}}]}"#, #"{"alerts":[{"status":"odd","labels":{},"fingerprint":"x"}]}"#, #"{"version":"3","alerts":[]}"#])
    func malformedBodiesAreRefusedWithAReason(text: String) {
        #expect(throws: AlertParseError.self) { try AlertParser.parse(Array(text.utf8), format: .alertmanager) }
    }

    /// A fingerprint keys the `alerts` read model: one that cannot (too long, control characters) is bad input, named.
    @Test(arguments: [String(repeating: "f", count: 201), String(repeating: "f", count: 600), #"a\nb"#, #"a\u0000b"#])
    func unusableFingerprintsAreRefusedNamingTheField(fingerprint: String) {
        let body = #"{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"x"},"fingerprint":"\#(fingerprint)"}]}"#
        do {
            _ = try AlertParser.parse(Array(body.utf8), format: .alertmanager)
            Issue.record("expected a refusal")
        } catch {
            #expect(error.message.contains("alert 1's fingerprint is over 200 bytes or holds control characters"), "\(error.message)")
        }
    }

    @Test func aFingerprintOf200BytesIsTaken() throws {
        let fingerprint = String(repeating: "f", count: 200)
        let body = #"{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"x"},"fingerprint":"\#(fingerprint)"}]}"#
        #expect(try AlertParser.parse(Array(body.utf8), format: .alertmanager).alerts.first?.fingerprint == fingerprint)
    }
}

@Suite struct GenericAlertTests {
    @Test func oneObjectOrAnArray() throws {
        let one = #"{"client":"acme","device":"fs-01","check":"backup","severity":"Critical","status":"firing","id":"veeam-42","message":"Nightly backup failed","occurredAt":"2026-11-03T02:00:00Z"}"#
        let alert = try #require(try AlertParser.parse(Array(one.utf8), format: .generic).alerts.first)
        #expect(alert.fingerprint == "veeam-42")
        #expect(alert.severity == "critical")
        #expect(alert.client == "acme")
        #expect(alert.startsAt == Timestamp(iso8601: "2026-11-03T02:00:00Z"))
        let many = "[\(one),\(one.replacingOccurrences(of: "firing", with: "resolved"))]"
        let batch = try AlertParser.parse(Array(many.utf8), format: .generic)
        #expect(batch.alerts.map(\.status) == [.firing, .resolved])
        #expect(batch.alerts[1].endsAt == Timestamp(iso8601: "2026-11-03T02:00:00Z"))
    }

    @Test(arguments: [
        (#"{"client":"acme","check":"backup","severity":"critical","status":"firing","message":"x"}"#, "missing field 'id'"),
        (#"{"client":"acme","check":"backup","severity":"sev1","status":"firing","id":"1","message":"x"}"#, "severity"),
        (#"{"client":"acme","check":"backup","severity":"info","status":"open","id":"1","message":"x"}"#, "status"),
        (#"{"client":"acme","check":"backup","severity":"info","status":"firing","id":"1","message":"x","occurredAt":"noon"}"#, "occurredAt"),
        (#"{"client":"acme","check":"backup","severity":"info","status":"firing","id":"\#(String(repeating: "i", count: 201))","message":"x"}"#, "id must be 1 to 200 bytes"),
        (#"{"client":"acme","check":"backup","severity":"info","status":"firing","id":"a\nb","message":"x"}"#, "without control characters"),
        (#"{"client":"acme","check":"backup","severity":"info","status":"firing","id":"a\u0000b","message":"x"}"#, "without control characters"),
    ])
    func badAlertsAreRefusedNamingTheField(text: String, reason: String) {
        do {
            _ = try AlertParser.parse(Array(text.utf8), format: .generic)
            Issue.record("expected a refusal")
        } catch {
            #expect(error.message.contains(reason), "\(error.message)")
        }
    }
}
