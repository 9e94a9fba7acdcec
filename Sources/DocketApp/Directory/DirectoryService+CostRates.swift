import DocketTime
import Domain

/// One version of a user's cost rate (`user.cost-rate-set`), as `docket user cost-rates --json` and
/// `GET /v1/cost-rates` give it.
public struct CostRateRow: Encodable, Sendable, Equatable {
    public let login: String
    /// 1 for the user's first rate, then 2, 3, … in recording order.
    public let version: Int
    /// Minor units of `currency` per hour worked.
    public let costPerHourMinor: Int64
    public let currency: String
    /// When the version takes effect (RFC 3339 UTC).
    public let effectiveFrom: RFC3339Instant
    /// The user's own time zone (`docket user time-zone`), in which the table gives `effectiveFrom`; absent: UTC.
    public let timeZone: String?
    /// Whether it is the version in force now (the one that prices work starting now).
    public let inForce: Bool
    /// The later version that replaces it from the same instant on, if one does (a rate set again for the same date).
    public let replacedBy: Int?
}

extension DirectoryService {
    /// Every cost rate each user (or only `login`) was given, by login, then by when it takes effect and version, with
    /// the one in force now marked: for billing and admins only (``Action/readCosts``; anyone else is refused,
    /// ``DomainError/Code/forbidden``, before anything is read). `reader`'s role is the one they have now, on a replay
    /// too (``DocketApplication/reader(_:)``). An unknown `login` is not found.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func costRates(of login: String? = nil, readBy reader: String) throws -> [CostRateRow] {
        let role = try context(for: reader).actor.role
        guard Permissions.allows(role, to: .readCosts) else {
            throw DomainError(
                .forbidden, "only \(Permissions.who(mayPerform: .readCosts)) may \(Action.readCosts); \(reader) is \(role): \(CostReaders.fix)")
        }
        let users = try login.map { [try user($0)] } ?? self.users()
        let now = clock.now()
        return users.compactMap { user in user.login.map { ($0, user) } }.sorted { $0.0 < $1.0 }.flatMap { login, user in
            let inForce = user.costRate(at: now)?.version
            return user.costRates.sorted { ($0.effectiveFrom, $0.version) < ($1.effectiveFrom, $1.version) }.map { rate in
                let replacedBy = user.costRates.filter { $0.effectiveFrom == rate.effectiveFrom && $0.version > rate.version }.map(\.version).max()
                return CostRateRow(
                    login: login, version: rate.version, costPerHourMinor: rate.costPerHourMinor, currency: rate.currency,
                    effectiveFrom: RFC3339Instant(millisecondsSinceEpoch: rate.effectiveFrom.millisecondsSinceEpoch), timeZone: user.timeZone,
                    inForce: rate.version == inForce, replacedBy: replacedBy)
            }
        }
    }
}
