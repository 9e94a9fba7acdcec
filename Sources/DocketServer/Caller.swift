import DocketApp
import Domain
import Foundation
import HTTPTypes
import Hummingbird

/// Who sent a request, as the server established it: a bearer token on HTTP, the kernel's peer uid on the Unix
/// socket. Never a header, a flag or an environment variable the client chose.
public struct Caller: Sendable, Equatable {
    public let login: String
    /// How the caller was identified: `token <id>` or `uid <n>`.
    public let via: String
}

/// Identifying callers against the store's users and tokens, through ``IdentityCache``: a request reads one or
/// two keys to learn that what the cache holds is still current, instead of folding every user (the socket) or
/// the token's and its user's streams (HTTP).
struct CallerIdentification: Sendable {
    let app: DocketApplication
    let usage: TokenUsage
    /// Where the lookups run: with the reads.
    let work: RequestWork
    let cache = IdentityCache()

    /// The caller of `request` on `context`'s connection; throws a 401 ``Problem`` when there is none.
    func identify(_ request: Request, context: DocketRequestContext) async throws -> Caller {
        if let peer = await PeerCredentials.of(context.channel) {
            return try await work.run(.read, for: context.channel) { [app] in try identify(uid: peer.uid, in: app) }
        }
        guard let header = request.headers[.authorization] else {
            throw Problem.unauthenticated("no API token; send `Authorization: Bearer <token>` (create one with `docket token create`)")
        }
        guard header.lowercased().hasPrefix("bearer ") else {
            throw Problem.unauthenticated("the Authorization header is not `Bearer <token>`")
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        return try await work.run(.read, for: context.channel) { [app, usage, cache] in
            do {
                let now = try app.now()
                let known = try cache.token(token, now: now) { tokenId, login in try app.directory.tokenStamp(tokenId: tokenId, user: login) }
                let (login, tokenId) = try known ?? {
                    let (actor, tokenId, _) = try app.directory.authenticateToken(token)
                    // The stamp is read between two authentications: a change before it fails the second one, a
                    // change after it changes the stamp the next request compares.
                    let stamp = try app.directory.tokenStamp(tokenId: tokenId, user: actor.login)
                    let expiresAt = try app.directory.authenticateToken(token).expiresAt
                    cache.keep(token, login: actor.login, tokenId: tokenId, expiresAt: expiresAt, stamp: stamp)
                    return (actor.login, tokenId)
                }()
                usage.record(tokenId, at: now)
                return Caller(login: login, via: "token \(tokenId)")
            } catch let error as DomainError {
                throw Problem.unauthenticated(error.message)
            }
        }
    }

    /// The Docket user an OS account maps to: the user linked to `uid` (`docket user link-os`), else the user
    /// whose login is the account's name (unless linked to another uid). Refuses unknown and deactivated users.
    @available(*, noasync, message: "reads the store")
    func identify(uid: UInt32, in app: DocketApplication) throws -> Caller {
        do {
            let users = try cache.users(stamp: app.directory.usersStamp, load: app.directory.users)
            let actor = try app.directory.socketCaller(uid: uid, osLogin: osLoginName(uid: uid), users: users)
            return Caller(login: actor.login, via: "uid \(uid)")
        } catch let error as DomainError {
            throw Problem.unauthenticated(error.message)
        }
    }
}
