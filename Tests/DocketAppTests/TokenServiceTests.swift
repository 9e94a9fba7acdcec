import DocketApp
import Domain
import EventLog
import Foundation
import Testing

/// Issue 12 §2: API tokens are events holding only a salted hash; a token acts with its user's role, and stops
/// working when revoked, expired, or when its user is deactivated.
@Suite struct TokenServiceTests {
    let fixture: ServiceFixture
    var service: DocketApplication { fixture.app }

    init() throws {
        fixture = try ServiceFixture()
    }

    @Test func aTokenActsAsItsUserWithTheRoleTheyHaveNow() throws {
        let token = try #require(try service.directory.createToken(for: "bob", name: "laptop", lifetimeDays: 90, as: "ann").token)
        #expect(try service.directory.authenticate(token: token) == Actor(login: "bob", role: .tech))
        try service.directory.user("bob", .changeRole(.dispatcher), as: "ann")
        #expect(try service.directory.authenticate(token: token) == Actor(login: "bob", role: .dispatcher))
    }

    @Test func onlyTheSaltedHashIsStoredNeverTheSecret() throws {
        let token = try #require(try service.directory.createToken(for: "bob", name: "laptop", lifetimeDays: nil, as: "ann").token)
        let parts = token.split(separator: "_")
        #expect(parts.count == 3 && parts[0] == "dkt" && parts[1].count == 12 && parts[2].count == 64)
        let secret = String(parts[2])
        let events = try fixture.store.read(stream: "token-\(parts[1])")
        #expect(events.count == 1)
        let payload = String(decoding: events[0].payload, as: UTF8.self)
        #expect(!payload.contains(secret))
        let created = try #require(try JSONSerialization.jsonObject(with: Data(events[0].payload)) as? [String: Any])
        let salt = try #require(created["salt"] as? String)
        #expect(salt.count == 32)
        #expect(created["hash"] as? String == sha256Hex(hexBytes(salt) + Array(secret.utf8)))
        #expect(created["expiresAt"] == nil)
    }

    @Test func twoTokensNeverShareASecretOrSalt() throws {
        let a = try #require(try service.directory.createToken(for: "bob", name: "one", lifetimeDays: nil, as: "ann").token)
        let b = try #require(try service.directory.createToken(for: "bob", name: "two", lifetimeDays: nil, as: "ann").token)
        #expect(a != b)
        #expect(a.split(separator: "_")[2] != b.split(separator: "_")[2])
    }

    @Test(arguments: ["", "dkt_", "dkt_abc_def", "Bearer x", "dkt_000000000000_" + String(repeating: "0", count: 64)])
    func malformedOrUnknownTokensAreRefused(token: String) throws {
        _ = try service.directory.createToken(for: "bob", name: "laptop", lifetimeDays: nil, as: "ann")
        #expect(throws: DomainError.self) { try service.directory.authenticate(token: token) }
    }

    @Test func aWrongSecretForARealIdIsRefused() throws {
        let token = try #require(try service.directory.createToken(for: "bob", name: "laptop", lifetimeDays: nil, as: "ann").token)
        let last = token.last == "0" ? "1" : "0"
        let wrong = String(token.dropLast()) + last
        let error = try #require(throws: DomainError.self) { try service.directory.authenticate(token: wrong) }
        #expect(error.code == .unauthenticated)
    }

    @Test func aRevokedTokenIsRefusedForGood() throws {
        let token = try #require(try service.directory.createToken(for: "bob", name: "laptop", lifetimeDays: nil, as: "bob").token)
        let id = String(token.split(separator: "_")[1])
        try service.directory.revokeToken(id, reason: "lost", as: "bob")
        let error = try #require(throws: DomainError.self) { try service.directory.authenticate(token: token) }
        #expect(error.code == .unauthenticated)
        #expect(error.message.contains("revoked"))
        #expect(try service.directory.tokens(as: "ann").map(\.status) == ["revoked"])
    }

    @Test func anExpiredTokenIsRefused() throws {
        let token = try #require(try service.directory.createToken(for: "bob", name: "laptop", lifetimeDays: 1, as: "ann").token)
        fixture.clock.advance(milliseconds: 86_400_000 - 1)
        #expect(try service.directory.authenticate(token: token).login == "bob")
        fixture.clock.advance(milliseconds: 1)
        let error = try #require(throws: DomainError.self) { try service.directory.authenticate(token: token) }
        #expect(error.message.contains("expired"))
    }

    @Test func deactivatingAUserKillsTheirTokensEvenAfterReactivation() throws {
        let token = try #require(try service.directory.createToken(for: "bob", name: "laptop", lifetimeDays: nil, as: "ann").token)
        try service.directory.user("bob", .deactivate, as: "ann")
        #expect(throws: DomainError.self) { try service.directory.authenticate(token: token) }
        try service.directory.user("bob", .reactivate, as: "ann")
        let error = try #require(throws: DomainError.self) { try service.directory.authenticate(token: token) }
        #expect(error.message.contains("user-inactive"))
        let fresh = try #require(try service.directory.createToken(for: "bob", name: "laptop", lifetimeDays: nil, as: "ann").token)
        #expect(try service.directory.authenticate(token: fresh).login == "bob")
    }

    @Test func usersManageOnlyTheirOwnTokensAndAdminsEveryones() throws {
        #expect(throws: DomainError.self) { try service.directory.createToken(for: "tia", name: "x", lifetimeDays: nil, as: "bob") }
        let bobs = try #require(try service.directory.createToken(for: "bob", name: "mine", lifetimeDays: nil, as: "bob").token)
        _ = try service.directory.createToken(for: "tia", name: "hers", lifetimeDays: nil, as: "ann")
        #expect(try service.directory.tokens(as: "bob").map(\.name) == ["mine"])
        #expect(try service.directory.tokens(as: "ann").map(\.name) == ["mine", "hers"])
        let tias = try #require(try service.directory.tokens(as: "ann").first { $0.user == "tia" })
        let refused = try #require(throws: DomainError.self) { try service.directory.revokeToken(tias.tokenId, reason: nil, as: "bob") }
        #expect(refused.code == .forbidden)
        #expect(try service.directory.authenticate(token: bobs).login == "bob")
    }

    @Test func noTokenForAnUnknownOrDeactivatedUserAndNoBadLifetime() throws {
        #expect(throws: DomainError.self) { try service.directory.createToken(for: "zed", name: "x", lifetimeDays: nil, as: "ann") }
        try service.directory.user("tia", .deactivate, as: "ann")
        #expect(throws: DomainError.self) { try service.directory.createToken(for: "tia", name: "x", lifetimeDays: nil, as: "ann") }
        #expect(throws: DomainError.self) { try service.directory.createToken(for: "bob", name: "x", lifetimeDays: 0, as: "ann") }
        #expect(throws: DomainError.self) { try service.directory.createToken(for: "bob", name: "Bad Name", lifetimeDays: nil, as: "ann") }
        #expect(try fixture.store.streams(prefix: "token-").isEmpty)
    }
}

private func hexBytes(_ hex: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
        index = next
    }
    return bytes
}

/// SHA-256 through the system's `sha256sum`, an implementation independent of the one under test.
private func sha256Hex(_ bytes: [UInt8]) -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try? process.run()
    input.fileHandleForWriting.write(Data(bytes))
    try? input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(String(decoding: data, as: UTF8.self).prefix(64))
}
