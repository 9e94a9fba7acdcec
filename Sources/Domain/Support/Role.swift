/// What a user of Docket does; decides which actions they may take.
public enum Role: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    /// Works tickets.
    case tech
    /// Works and routes tickets, manages clients and templates.
    case dispatcher
    /// Manages contracts (later rates and invoices) and clients.
    case billing
    /// Can do everything, including managing users.
    case admin

    public var description: String { rawValue }

    /// Parses a role name, case-insensitively.
    public static func parse(_ text: String) throws(DomainError) -> Role {
        guard let role = Role(rawValue: text.lowercased()) else {
            let names = Role.allCases.map(\.rawValue).joined(separator: ", ")
            throw DomainError(.invalid, "unknown role \"\(text)\"; use one of \(names)")
        }
        return role
    }
}
