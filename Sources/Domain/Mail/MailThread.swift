/// Who is on a ticket's mail thread: the addresses whose answers to the ticket's mail (by In-Reply-To or References)
/// land on the ticket besides the client's own contacts and domains, and whom the ticket's public mail is Cc'd to
/// (``ClientMailReaction``). Read from the ticket's events alone, so intake, the reaction and `ticket show` agree.
public enum MailThread {
    /// The reasons of our mail whose recipients are on the thread: the client's. Staff notices (SLA warnings, breaches,
    /// escalations) are not: a technician answering one by mail is not the client replying.
    public static let clientReasons: Set<OutboundReason> = [.acknowledgement, .reply, .resolution]

    /// Whether `address` (lowercased) is the MSP's own: the support address (`supportAddress`, a bare address), another
    /// address of its domain (an alias that delivers to intake too, a shared inbox) or a user's (`users`, lowercased).
    /// Such an address is never Cc'd on a client's mail, nor put on a thread by hand: staff follow the ticket in Docket,
    /// and our mail Cc'd to an alias of ours would come back to intake.
    public static func isOurs(_ address: String, supportAddress: String, users: Set<String>) -> Bool {
        let support = supportAddress.lowercased()
        return address == support || users.contains(address) || domain(of: address) == domain(of: support)
    }

    /// The part of `address` after its last `@`; nil without one.
    static func domain(of address: String) -> Substring? {
        address.lastIndex(of: "@").map { address[address.index(after: $0)...] }
    }

    /// The addresses on the thread of the ticket whose events are `events` (oldest first), lowercased, each once, in
    /// the order they came on it: the sender, To and Cc of a person's mail received on it (kind `new` or `reply`); the
    /// recipients of our mail to the client; the To and Cc of a technician's email taken as their public reply (its
    /// `ticket.mail-received` of kind `staff` with the `ticket.commented` naming it), other than `staff` (the support
    /// address and users' addresses, lowercased); and those put on it by hand (`ticket.participant-added`). Machine
    /// mail (bounces, auto-replies) and staff mail only noted put no one on it: anyone can send one. An address taken
    /// off (`ticket.participant-removed`) stays off — whatever mail names it again — until it is put on by hand.
    public static func addresses(_ events: [DocketEvent], staff: Set<String>) -> [String] {
        thread(events, staff: staff).addresses
    }

    /// The addresses on the thread of a ticket whose events are `events` (``addresses(_:staff:)``) and on the threads
    /// of the tickets merged into it (`mergedIn`: each one's events, in merge order), each once: work on a merged
    /// ticket goes on on the one it was merged into, and so does its conversation — its client's ISP on Cc stays on
    /// Cc. An address taken off this ticket's thread (`ticket.participant-removed`) stays off, whichever thread had it.
    public static func addresses(_ events: [DocketEvent], mergedIn: [[DocketEvent]], staff: Set<String>) -> [String] {
        let own = thread(events, staff: staff)
        var addresses = own.addresses
        for theirs in mergedIn {
            for address in thread(theirs, staff: staff).addresses where !own.removed.contains(address) && !addresses.contains(address) {
                addresses.append(address)
            }
        }
        return addresses
    }

    /// The thread of one ticket's events, and the addresses taken off it (not put on again by hand since).
    private static func thread(_ events: [DocketEvent], staff: Set<String>) -> (addresses: [String], removed: Set<String>) {
        var thread: [String] = []
        var removed: Set<String> = []
        var staffReplies: [String: [String]] = [:]
        func join(_ addresses: [String]) {
            for address in addresses.map({ $0.lowercased() }) where !address.isEmpty && !removed.contains(address) && !thread.contains(address) {
                thread.append(address)
            }
        }
        for event in events {
            switch event {
            case .ticketMail(.received(let mail)) where mail.kind == "new" || mail.kind == "reply":
                join([mail.from] + (mail.to ?? []) + (mail.cc ?? []))
            case .ticketMail(.received(let mail)) where mail.kind == "staff":
                staffReplies[mail.messageId] = (mail.to ?? []) + (mail.cc ?? [])
            case .ticket(.commented(let comment)) where comment.visibility == .public:
                if let id = comment.mailMessageId, let recipients = staffReplies[id] {
                    join(recipients.filter { !staff.contains($0.lowercased()) })
                }
            case .outbox(.queued(let queued)) where clientReasons.contains(queued.reason):
                join(queued.to)
            case .ticket(.participantAdded(let added)):
                removed.remove(added.address)
                join([added.address])
            case .ticket(.participantRemoved(let taken)):
                removed.insert(taken.address)
                thread.removeAll { $0 == taken.address }
            default:
                break
            }
        }
        return (thread, removed)
    }
}
