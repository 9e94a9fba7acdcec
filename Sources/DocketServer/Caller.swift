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

/// Identifying callers against the store's users and tokens.
struct CallerIdentification: Sendable {
    let app: DocketApplication
    let usage: TokenUsage

    /// The caller of `request` on `context`'s connection; throws a 401 ``Problem`` when there is none.
    func identify(_ request: Request, context: DocketRequestContext) async throws -> Caller {
        if let peer = await PeerCredentials.of(context.channel) {
            return try await BlockingWork.run { try identify(uid: peer.uid) }
        }
        guard let header = request.headers[.authorization] else {
            throw Problem.unauthenticated("no API token; send `Authorization: Bearer <token>` (create one with `docket token create`)")
        }
        guard header.lowercased().hasPrefix("bearer ") else {
            throw Problem.unauthenticated("the Authorization header is not `Bearer <token>`")
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        return try await BlockingWork.run {
            do {
                let actor = try app.directory.authenticate(token: token)
                let tokenId = String(token.split(separator: "_")[1])  // authenticate checked the form dkt_<id>_<secret>
                usage.record(tokenId, at: try app.now())
                return Caller(login: actor.login, via: "token \(tokenId)")
            } catch let error as DomainError {
                throw Problem.unauthenticated(error.message)
            }
        }
    }

    /// The Docket user an OS account maps to: the user linked to `uid` (`docket user link-os`), else the user
    /// whose login is the account's name (unless linked to another uid). Refuses unknown and deactivated users.
    func identify(uid: UInt32) throws -> Caller {
        do {
            let actor = try app.directory.socketCaller(uid: uid, osLogin: osLoginName(uid: uid))
            return Caller(login: actor.login, via: "uid \(uid)")
        } catch let error as DomainError {
            throw Problem.unauthenticated(error.message)
        }
    }
}
