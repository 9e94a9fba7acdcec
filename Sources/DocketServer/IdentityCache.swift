import DocketApp
import DocketTime
import Domain
import Foundation

/// What identifying callers read of the log, kept while the log says it is still current: every user (for the
/// socket's uid → user mapping) under the users' stamp (``DirectoryService/usersStamp()``: the user streams'
/// versions in the log's stream index, which no read model rebuild touches), and each good token's
/// user under its token and user streams' versions (``DirectoryService/tokenStamp(tokenId:user:)``) until it
/// expires. A deactivation, a revocation, a role change or a new uid link changes a stamp, so the very next
/// request reads the log again.
final class IdentityCache: @unchecked Sendable {
    // @unchecked Sendable: every field is touched only while holding `lock`.
    private let lock = NSLock()
    private var users: (stamp: UsersStamp, users: [UserState])?
    private var tokens: [String: TokenEntry] = [:]
    /// Tokens kept at most (the entries are dropped all at once beyond it).
    static let tokenCapacity = 10_000

    private struct TokenEntry {
        let login: String
        let tokenId: String
        let expiresAt: Timestamp?
        let stamp: [UInt64]
    }

    /// Every user: the kept copy when the users' stamp is still the one it was read under, else `load()`'s (the
    /// stamp is read first, so a change during the load only makes the next request load again).
    func users(stamp: () throws -> UsersStamp, load: () throws -> [UserState]) throws -> [UserState] {
        let now = try stamp()
        if let kept = lock.withLock({ users }), kept.stamp == now { return kept.users }
        let loaded = try load()
        lock.withLock { users = (now, loaded) }
        return loaded
    }

    /// The login and token id `presented` authenticated as, when it was kept, has not expired by `now`, and its
    /// stamp is unchanged; nil otherwise (authenticate it again).
    func token(_ presented: String, now: Timestamp, stamp: (_ tokenId: String, _ login: String) throws -> [UInt64]) throws -> (String, String)? {
        guard let entry = lock.withLock({ tokens[presented] }) else { return nil }
        if let expiresAt = entry.expiresAt, expiresAt <= now { return nil }
        guard try stamp(entry.tokenId, entry.login) == entry.stamp else { return nil }
        return (entry.login, entry.tokenId)
    }

    /// Keeps a token that authenticated, with the stamp read after its authentication.
    func keep(_ presented: String, login: String, tokenId: String, expiresAt: Timestamp?, stamp: [UInt64]) {
        lock.withLock {
            if tokens.count >= Self.tokenCapacity { tokens.removeAll() }
            tokens[presented] = TokenEntry(login: login, tokenId: tokenId, expiresAt: expiresAt, stamp: stamp)
        }
    }
}
