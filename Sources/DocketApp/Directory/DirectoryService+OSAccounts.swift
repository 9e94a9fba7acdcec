import Domain
import EventLog

extension DirectoryService {
    /// Links OS uid `uid` to user `login` (nil unlinks), as `actor` (admins): the server's Unix socket then
    /// identifies that uid as the user. Refuses a uid another user is linked to.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func linkOSAccount(_ login: String, uid: UInt32?, as actor: String, commandId: String? = nil) throws -> [UserEvent] {
        if let uid, let other = try users().first(where: { $0.osUid == uid && $0.login != login })?.login {
            throw DomainError(
                .conflict, "uid \(uid) is linked to user \(other) already; unlink it first with `docket user unlink-os \(other)`")
        }
        return try user(login, .setOSAccount(uid), as: actor, commandId: commandId)
    }

    /// The active user a Unix-socket caller with OS uid `uid` (whose OS login name is `osLogin`, if any) acts as:
    /// the user linked to `uid`; when none is, the user whose login is `osLogin`, unless that user is linked to
    /// another uid. Throws ``DomainError`` when there is none or they are deactivated.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func socketCaller(uid: UInt32, osLogin: String?) throws -> Actor {
        try socketCaller(uid: uid, osLogin: osLogin, users: try users())
    }

    /// ``socketCaller(uid:osLogin:)`` among `users` (every user, as ``users()`` read them while ``usersStamp()``
    /// had the value a cache keeps them under).
    public func socketCaller(uid: UInt32, osLogin: String?, users: [UserState]) throws -> Actor {
        let linked = users.filter { $0.osUid == uid }
        guard linked.count <= 1 else {
            let logins = linked.compactMap(\.login).joined(separator: ", ")
            throw DomainError(.conflict, "uid \(uid) is linked to several users (\(logins)); an admin unlinks all but one with `docket user unlink-os`")
        }
        if let user = linked.first, let login = user.login { return try UserDecider.actor(login: login, state: user) }
        guard let osLogin else {
            throw DomainError(.notFound, "uid \(uid) has no OS account name and no Docket user is linked to it; an admin links one with `docket user link-os LOGIN --uid \(uid)`")
        }
        guard let named = users.first(where: { $0.login == osLogin }) else {
            throw DomainError(.notFound, "OS user \(osLogin) (uid \(uid)) is not a Docket user; an admin adds user \(osLogin) or links one with `docket user link-os LOGIN --uid \(uid)`")
        }
        if let other = named.osUid {
            throw DomainError(.forbidden, "user \(osLogin) is linked to uid \(other), not \(uid); an admin links this uid with `docket user link-os`")
        }
        return try UserDecider.actor(login: osLogin, state: named)
    }

    /// What ``users()`` depends on: every user stream's name and version, from the log's own stream index (one
    /// short cursor walk, written in the transaction of every append). A new user, a role change, a deactivation
    /// or a uid link changes it; a rebuild of the read models cannot, since none is read. A cache of ``users()``
    /// read after it is current as long as it stays the same.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func usersStamp() throws -> UsersStamp {
        let streams = try store.streams(prefix: StreamName.user(""))
        return UsersStamp(streams: streams.map(\.name), versions: streams.map(\.version))
    }
}

/// The user streams' names and versions as the log's stream index has them (``DirectoryService/usersStamp()``):
/// equal stamps mean the same users.
public struct UsersStamp: Equatable, Sendable {
    public let streams: [String]
    public let versions: [UInt64]

    public init(streams: [String], versions: [UInt64]) {
        self.streams = streams
        self.versions = versions
    }
}
