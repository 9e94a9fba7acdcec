import DocketTime
import Foundation
import Hooks
import Testing

@Suite("Webhook signatures, replays and sealed secrets")
struct HookSignatureTests {
    let secret = "dkh_" + String(repeating: "5a", count: 32)
    let body = Array(#"{"alerts":[{"fingerprint":"cpu-web1","status":"firing"}]}"#.utf8)
    let now = Timestamp(millisecondsSinceEpoch: 1_764_758_400_000)

    @Test("signing agrees with Python's hmac module over t.body")
    func agreesWithAnIndependentHMAC() throws {
        let expected = try HookSignatureTests.referenceHMAC(secret: secret, message: "1764758400." + String(decoding: body, as: UTF8.self))
        #expect(expected.count == 64)
        #expect(HookSignature.sign(body, secret: secret, timestamp: 1_764_758_400) == "t=1764758400,v1=" + expected)
    }

    @Test("the worked example of docs/intake.md, computed there with Python's hmac")
    func documentedExample() {
        let body = Array(#"{"client":"acme","device":"srv1","check":"disk-space","severity":"critical","status":"firing","id":"disk-srv1","message":"C: below 5%"}"#.utf8)
        #expect(HookSignature.sign(body, secret: secret, timestamp: 1_764_758_400)
            == "t=1764758400,v1=888996f7f5e275272ceba48ecdc65ba882f5f382c05f7b0e2cb8965f59a3483a")
    }

    @Test func aFreshSignatureWithTheRightSecretPasses() throws {
        let header = HookSignature.sign(body, secret: secret, timestamp: 1_764_758_390)
        let parsed = try HookSignature.verify(header: header, body: body, secrets: [secret], now: now).get()
        #expect(parsed.timestamp == 1_764_758_390)
    }

    @Test func theWrongSecretIsAMismatch() {
        let header = HookSignature.sign(body, secret: "dkh_" + String(repeating: "00", count: 32), timestamp: 1_764_758_400)
        #expect(HookSignature.verify(header: header, body: body, secrets: [secret], now: now) == .failure(.mismatch))
    }

    @Test func anAlteredBodyIsAMismatch() {
        let header = HookSignature.sign(body, secret: secret, timestamp: 1_764_758_400)
        var altered = body
        altered[altered.count - 5] = UInt8(ascii: "X")
        #expect(HookSignature.verify(header: header, body: altered, secrets: [secret], now: now) == .failure(.mismatch))
    }

    @Test(arguments: [(-301 as Int64, -301 as Int64), (400, 400), (-100_000, -100_000)])
    func aTimestampOutsideTheWindowIsStale(offset: Int64, expected: Int64) {
        let header = HookSignature.sign(body, secret: secret, timestamp: 1_764_758_400 - offset)
        #expect(HookSignature.verify(header: header, body: body, secrets: [secret], now: now) == .failure(.stale(secondsOff: expected)))
    }

    @Test func theEdgeOfTheWindowStillPasses() {
        for offset: Int64 in [-300, 300] {
            let header = HookSignature.sign(body, secret: secret, timestamp: 1_764_758_400 - offset)
            #expect((try? HookSignature.verify(header: header, body: body, secrets: [secret], now: now).get()) != nil)
        }
    }

    @Test(arguments: [
        "", "t=1764758400", "v1=" + String(repeating: "ab", count: 32), "t=abc,v1=" + String(repeating: "ab", count: 32),
        "t=1764758400,v1=abcd", "t=1764758400,v1=" + String(repeating: "zz", count: 32), "garbage",
        "t=1,t=2,v1=" + String(repeating: "ab", count: 32),
    ])
    func malformedHeadersAreRefused(header: String) {
        #expect(HookSignature.verify(header: header, body: body, secrets: [secret], now: now) == .failure(.malformed))
    }

    @Test func aMissingHeaderIsRefused() {
        #expect(HookSignature.verify(header: nil, body: body, secrets: [secret], now: now) == .failure(.missing))
    }

    @Test func aHeaderWithSeveralSignaturesAndAnUnknownSchemePassesOnOneMatch() throws {
        let good = HookSignature.sign(body, secret: secret, timestamp: 1_764_758_400)
        let header = "t=1764758400, v0=zzz, v1=" + String(repeating: "00", count: 32) + "," + good.split(separator: ",")[1]
        #expect((try? HookSignature.verify(header: header, body: body, secrets: [secret], now: now).get()) != nil)
    }

    @Test func duringRotationEitherSecretPasses() {
        let old = "dkh_" + String(repeating: "11", count: 32)
        let header = HookSignature.sign(body, secret: old, timestamp: 1_764_758_400)
        #expect((try? HookSignature.verify(header: header, body: body, secrets: [secret, old], now: now).get()) != nil)
        #expect(HookSignature.verify(header: header, body: body, secrets: [secret], now: now) == .failure(.mismatch))
    }

    @Test func theReplayGuardRefusesTheSameSignedRequestWithinTheWindow() {
        var guardian = ReplayGuard()
        let key = ReplayGuard.key(source: "ninja", timestamp: 1_764_758_400, body: body)
        let later = Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + 60_000)
        let first = guardian.claim(key, now: now)
        let replayed = guardian.claim(key, now: later)
        let otherSource = guardian.claim(ReplayGuard.key(source: "other", timestamp: 1_764_758_400, body: body), now: now)
        let newSigning = guardian.claim(ReplayGuard.key(source: "ninja", timestamp: 1_764_758_401, body: body), now: now)
        #expect(first && !replayed && otherSource && newSigning)
        guardian.release(key)
        let afterRelease = guardian.claim(key, now: now)
        #expect(afterRelease, "released after the store refused it: the sender may retry")
        // Past twice the window the request is stale anyway, so the guard forgets it.
        let muchLater = guardian.claim(key, now: Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + 601_000))
        #expect(muchLater)
    }

    @Test func theReplayGuardIsBounded() {
        var guardian = ReplayGuard(capacity: 100)
        var taken = 0
        for i in 0..<1_000 where guardian.claim(ReplayGuard.key(source: "s", timestamp: Int64(i), body: body), now: now) { taken += 1 }
        #expect(taken == 1_000)
        #expect(guardian.count <= 100)
    }

    @Test func sealedSecretsOpenOnlyWithTheirKey() throws {
        let key = try HookKey(bytes: Array(repeating: 7, count: 32))
        let other = try HookKey(bytes: Array(repeating: 8, count: 32))
        let sealed = try key.seal(secret)
        #expect(!sealed.contains(secret))
        #expect(try key.open(sealed) == secret)
        #expect(throws: HookKeyError.self) { try other.open(sealed) }
        #expect(key.keyId.count == 16 && key.keyId != other.keyId)
        #expect(throws: HookKeyError.self) { try HookKey(bytes: [1, 2, 3]) }
    }

    @Test func theKeyFileIsMadeOnceOwnerOnly() throws {
        let folder = NSTemporaryDirectory() + "hookkey-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(try HookKey.load(inFolder: folder, create: false) == nil)
        let made = try #require(try HookKey.load(inFolder: folder, create: true))
        let again = try #require(try HookKey.load(inFolder: folder, create: true))
        #expect(made.keyId == again.keyId)
        let mode = try FileManager.default.attributesOfItem(atPath: folder + "/" + HookKey.fileName)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func newSecretsAreDistinctAndShaped() {
        let a = HookKey.newSecret()
        let b = HookKey.newSecret()
        #expect(a != b)
        #expect(a.hasPrefix("dkh_") && a.count == 68)
        #expect(HookKey.fingerprint(a).count == 16)
    }

    /// HMAC-SHA256 by Python's `hmac` module: an implementation independent of the code under test.
    static func referenceHMAC(secret: String, message: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c", "import sys,hmac,hashlib;print(hmac.new(sys.argv[1].encode(),sys.stdin.buffer.read(),hashlib.sha256).hexdigest())",
            secret,
        ]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(message.utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

@Suite("Webhook credentials and request limits")
struct HookCredentialsTests {
    @Test(arguments: [
        ("Bearer dkh_abc", "dkh_abc" as String?), ("bearer   dkh_abc ", "dkh_abc"),
        ("Basic " + Data("alertmanager:dkh_abc".utf8).base64EncodedString(), "dkh_abc"),
        ("Basic " + Data(":dkh_a:b".utf8).base64EncodedString(), "dkh_a:b"),
        ("Basic " + Data("user:".utf8).base64EncodedString(), nil), ("Basic !!!", nil), ("Bearer", nil), ("Token x", nil), ("", nil),
    ])
    func theSecretIsReadFromBearerOrBasic(header: String, expected: String?) {
        #expect(HookCredentials.presented(authorization: header) == expected)
    }

    @Test func matchingTakesAnyOfTheSecretsAndNothingElse() {
        #expect(HookCredentials.matches("dkh_b", secrets: ["dkh_a", "dkh_b"]))
        #expect(!HookCredentials.matches("dkh_c", secrets: ["dkh_a", "dkh_b"]))
        #expect(!HookCredentials.matches("dkh_a", secrets: []))
        #expect(!HookCredentials.matches("dkh_", secrets: ["dkh_a"]))
    }

    @Test func theLimiterAllowsABurstThenTheSustainedRatePerKey() {
        var limiter = RateLimiter(burst: 3, perMinute: 6)
        let t0 = Timestamp(millisecondsSinceEpoch: 1_000_000)
        var results: [Int?] = []
        for _ in 0..<4 { results.append(limiter.take("10.0.0.1", now: t0)) }
        #expect(results[0..<3].allSatisfy { $0 == nil })
        #expect(results[3] == 10, "one token every 10 s")
        let other = limiter.take("10.0.0.2", now: t0)
        #expect(other == nil, "another key has its own bucket")
        let later = limiter.take("10.0.0.1", now: Timestamp(millisecondsSinceEpoch: 1_010_000))
        #expect(later == nil, "refilled after 10 s")
    }

    @Test func theLimiterForgetsIdleKeysToStayBounded() {
        var limiter = RateLimiter(burst: 2, perMinute: 60, maxKeys: 10)
        for i in 0..<100 { _ = limiter.take("k\(i)", now: Timestamp(millisecondsSinceEpoch: Int64(i) * 5_000)) }
        #expect(limiter.count <= 10)
    }
}
