/// What another aggregate needs to know about a client, looked up by the application before deciding.
public struct ClientSnapshot: Hashable, Sendable {
    /// The client's code, e.g. `acme`.
    public var code: String
    /// The client's display name.
    public var name: String
    /// False once deactivated.
    public var isActive: Bool
    /// The ids of the client's current contacts.
    public var contactIDs: Set<String>

    /// A snapshot of a client.
    public init(code: String, name: String, isActive: Bool, contactIDs: Set<String> = []) {
        self.code = code
        self.name = name
        self.isActive = isActive
        self.contactIDs = contactIDs
    }
}
