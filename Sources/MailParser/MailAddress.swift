/// One mailbox from an address field: a display name and an address, either of which may be missing.
public struct MailAddress: Hashable, Sendable, CustomStringConvertible {
    /// The display name with encoded words decoded and quotes removed, or a comment used as the name
    /// (`user@example.com (User Name)`).
    public var name: String?
    /// The address (`local@domain`, or only a local part such as `MAILER-DAEMON`). Nil when the field held only
    /// a name (`From: Whomever`); empty angle brackets (`<>`, the null sender) also give nil.
    public var address: String?
    /// The name of the RFC 5322 group the mailbox was listed in, if any.
    public var group: String?

    /// A mailbox with the given parts.
    public init(name: String? = nil, address: String?, group: String? = nil) {
        self.name = name
        self.address = address
        self.group = group
    }

    /// The local part of the address: everything before the last `@`, or the whole address if it has none.
    public var localPart: String? {
        guard let address else { return nil }
        guard let at = address.lastIndex(of: "@") else { return address }
        return String(address[..<at])
    }

    /// The domain of the address, lowercased, if it has one.
    public var domain: String? {
        guard let address, let at = address.lastIndex(of: "@") else { return nil }
        let domain = address[address.index(after: at)...]
        return domain.isEmpty ? nil : ASCII.lowercased(domain)
    }

    public var description: String {
        switch (name, address) {
        case (let name?, let address?): "\(name) <\(address)>"
        case (nil, let address?): address
        case (let name?, nil): name
        case (nil, nil): ""
        }
    }

    /// The mailboxes in an address-list field value (From, To, Cc, Reply-To, Sender…).
    ///
    /// Handles display names, quoted strings, comments, groups, obsolete routes and encoded words in names.
    /// Lenient: items are separated by commas (and by `;` outside groups); an item without angle brackets takes the
    /// word around its `@` as the address and the rest as the name; an item with no address at all becomes a
    /// name-only mailbox, or joins the next item's name when that one has an address in angle brackets
    /// (`Doe, John <john@example.com>`).
    public static func parseList(_ value: String) -> [MailAddress] {
        AddressListParser(value).parse()
    }
}
