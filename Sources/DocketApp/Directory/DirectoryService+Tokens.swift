import Crypto
import DocketTime
import Domain
import EventLog

/// A token as `docket token list` shows it (never its hash or secret).
public struct TokenSummary: Sendable, Equatable {
    public let tokenId: String
    public let user: String
    public let name: String
    public let createdAt: Timestamp
    public let createdBy: String
    public let expiresAt: Timestamp?
    /// `active`, `expired`, `revoked`, or `user-inactive` (the user was deactivated after the token was made).
    public let status: String
}

/// What ``DirectoryService/createToken(for:name:lifetimeDays:as:commandId:)`` made.
public struct NewToken: Sendable, Equatable {
    /// The token's id (the ID column of `docket token list`).
    public let tokenId: String
    /// The token, `dkt_<id>_<secret>`; nil when a retried command id answers for the token its first attempt made:
    /// only the secret's hash is kept, and the secret was shown that once.
    public let token: String?
}

extension DirectoryService {
    /// Creates an API token for `user` as `actor` and returns it with `dkt_<id>_<secret>`: the only time the secret is
    /// seen. The log keeps the id, the salt and SHA-256(salt ‖ secret). `lifetimeDays` nil: it never expires. A retried
    /// `commandId` creates nothing and answers the first attempt's token without its secret.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func createToken(for user: String, name: String, lifetimeDays: Int?, as actor: String, commandId: String? = nil) throws -> NewToken {
        if let days = lifetimeDays, !(1...TokenDecider.maxLifetimeDays).contains(days) {
            throw DomainError(.invalid, "--expires must be 1 to \(TokenDecider.maxLifetimeDays) days; give e.g. 90d")
        }
        let context = try context(for: actor)
        let created = { (earlier: AppendResult) throws -> NewToken in
            let (events, _) = try kernel.earlierEvents(TokenDecider.self, commandId: commandId, result: earlier, stream: earlier.stream)
            guard case .created(let first) = events.first else {
                throw EventLogError(.commandReused, "command id \(commandId ?? "") was already used for another command; use a new command id")
            }
            return NewToken(tokenId: first.tokenId, token: nil)
        }
        return try kernel.execute(commandId: commandId, actor: actor, replay: created) {
            let tokenId = TokenSecret.randomHex(bytes: 6)
            let secret = TokenSecret.randomHex(bytes: 32)
            let salt = TokenSecret.randomHex(bytes: 16)
            let (userState, _) = try kernel.load(UserDecider.self, stream: StreamName.user(user))
            let expiresAt = lifetimeDays.map { Timestamp(millisecondsSinceEpoch: context.now.millisecondsSinceEpoch + Int64($0) * 86_400_000) }
            let command = TokenCommand.create(
                tokenId: tokenId, user: user, userSnapshot: userState.snapshot, name: name, salt: salt,
                hash: TokenSecret.hash(salt: salt, secret: secret), expiresAt: expiresAt)
            let stream = StreamName.token(tokenId)
            let events = try TokenDecider.decide(command, state: TokenDecider.initialState, context: context)
            return CommandKernel.Decision(
                appends: [kernel.request(stream: stream, version: 0, events: events, context: context, commandId: commandId)],
                output: NewToken(tokenId: tokenId, token: "dkt_\(tokenId)_\(secret)"))
        }
    }

    /// Revokes token `tokenId` (its owner or an admin); returns the events, none when it was revoked already.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func revokeToken(_ tokenId: String, reason: String?, as actor: String, commandId: String? = nil) throws -> [TokenEvent] {
        try kernel.run(
            TokenDecider.self, stream: StreamName.token(tokenId), command: .revoke(reason: reason), context: context(for: actor),
            commandId: commandId
        ).events
    }

    /// The tokens `actor` may see: every token for an admin, their own for anyone else; in creation order.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func tokens(as actor: String) throws -> [TokenSummary] {
        let viewer = try context(for: actor).actor
        var summaries: [(position: UInt64, summary: TokenSummary)] = []
        for stream in try store.streams(prefix: "token-") {
            let (state, created) = try token(stream: stream.name)
            guard let created, viewer.role == .admin || state.user == viewer.login else { continue }
            summaries.append(
                (created.position, TokenSummary(
                    tokenId: state.tokenId ?? "", user: state.user, name: state.name, createdAt: created.recordedAt,
                    createdBy: created.actor, expiresAt: state.expiresAt,
                    status: try status(of: state, createdAt: created.position))))
        }
        return summaries.sorted { $0.position < $1.position }.map(\.summary)
    }

    /// The user a presented token acts as, with that user's role now. Refuses (``DomainError/Code/unauthenticated``)
    /// a malformed, unknown, wrong, expired or revoked token, and one whose user was deactivated after it was made
    /// (deactivating a user kills their tokens for good, even if they are reactivated).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func authenticate(token presented: String) throws -> Actor { try authenticateToken(presented).actor }

    /// ``authenticate(token:)``, with what a caller that keeps the answer needs: the token's id, its user, and when
    /// it expires (nil: never). The answer holds until then while ``tokenStamp(tokenId:user:)`` stays the same.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func authenticateToken(_ presented: String) throws -> (actor: Actor, tokenId: String, expiresAt: Timestamp?) {
        let unknown = DomainError(.unauthenticated, "unknown or wrong API token; create one with `docket token create`")
        let parts = presented.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "dkt", TokenSecret.isHex(parts[1], length: 12), TokenSecret.isHex(parts[2], length: 64)
        else { throw unknown }
        let (state, created) = try token(stream: StreamName.token(String(parts[1])))
        guard let created, TokenSecret.equal(TokenSecret.hash(salt: state.salt, secret: String(parts[2])), state.hash) else {
            throw unknown
        }
        let status = try status(of: state, createdAt: created.position)
        guard status == "active" else {
            throw DomainError(.unauthenticated, "API token \(state.tokenId ?? "") is \(status); ask for a new one with `docket token create`")
        }
        let (user, _) = try kernel.loadUser(state.user)
        return (try UserDecider.actor(login: state.user, state: user), String(parts[1]), state.expiresAt)
    }

    /// What an authentication of token `tokenId` of user `login` depends on in the log: the versions of the token's
    /// stream (revocation) and of its user's (deactivation, a role change). Equal stamps: the same answer.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func tokenStamp(tokenId: String, user login: String) throws -> [UInt64] {
        [try store.version(of: StreamName.token(tokenId)), try store.version(of: StreamName.user(login))]
    }

    /// A token stream's state and its first event (the creation), nil when the stream holds none.
    private func token(stream: String) throws -> (TokenState, RecordedEvent?) {
        let (state, _) = try kernel.load(TokenDecider.self, stream: stream)
        return (state, try store.read(stream: stream, from: 1, limit: 1).first)
    }

    private func status(of state: TokenState, createdAt position: UInt64) throws -> String {
        if state.isRevoked { return "revoked" }
        if let expiresAt = state.expiresAt, expiresAt <= clock.now() { return "expired" }
        if try deactivated(state.user, after: position) { return "user-inactive" }
        return "active"
    }

    /// True when `login` was deactivated (or is unknown or inactive) after log position `position`.
    private func deactivated(_ login: String, after position: UInt64) throws -> Bool {
        let stream = StreamName.user(login)
        var from: UInt64 = 1
        var active = false
        while true {
            let batch = try store.read(stream: stream, from: from, limit: 1_000)
            for event in batch {
                if event.type == UserDeactivated.descriptor.type, event.position > position { return true }
                if event.type == UserAdded.descriptor.type || event.type == UserReactivated.descriptor.type { active = true }
                if event.type == UserDeactivated.descriptor.type { active = false }
            }
            guard batch.count == 1_000, let last = batch.last else { return !active }
            from = last.streamVersion + 1
        }
    }
}

/// Making and checking token secrets: random bytes from the system's CSPRNG (through swift-crypto), SHA-256.
enum TokenSecret {
    /// `bytes` random bytes in lower-case hex.
    static func randomHex(bytes: Int) -> String {
        SymmetricKey(size: SymmetricKeySize(bitCount: bytes * 8)).withUnsafeBytes { hex(Array($0)) }
    }

    /// SHA-256 of the salt's bytes followed by the secret's UTF-8 bytes, in lower-case hex.
    static func hash(salt: String, secret: String) -> String {
        var hasher = SHA256()
        hasher.update(data: bytes(hex: salt))
        hasher.update(data: Array(secret.utf8))
        return hex(Array(hasher.finalize()))
    }

    /// Compares in time that does not depend on where the strings differ.
    static func equal(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func isHex(_ text: Substring, length: Int) -> Bool {
        text.utf8.count == length && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var high: UInt8?
        for c in hex.utf8 {
            let v: UInt8 = c <= 0x39 ? c &- 0x30 : c &- 0x57
            if let h = high {
                out.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        return out
    }
}
