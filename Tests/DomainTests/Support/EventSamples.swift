import DocketTime
import Foundation
import Domain
import Testing

/// At least one sample of every event case; optional fields appear both present and absent.
enum EventSamples {
    static let tickets: [TicketEvent] = [
        Fixture.opened(),
        .opened(
            TicketOpened(
                number: TicketNumber.first, client: "acme", contact: nil, category: nil, priority: "P1", source: .alert,
                subject: "Disk full on srv/01 — “quoted” ünïcode", description: "")),
        .assigned(TicketAssigned(assignee: "alice", previousAssignee: nil)),
        .assigned(TicketAssigned(assignee: "bob", previousAssignee: "alice")),
        .unassigned(TicketUnassigned(previousAssignee: "bob")),
        .priorityChanged(TicketPriorityChanged(priority: "P1", previousPriority: "P3")),
        .categoryChanged(TicketCategoryChanged(category: "Hardware", previousCategory: nil)),
        .categoryChanged(TicketCategoryChanged(category: "Hardware", previousCategory: "Network")),
        .watcherAdded(TicketWatcherAdded(login: "dana")),
        .watcherRemoved(TicketWatcherRemoved(login: "dana")),
        .participantAdded(TicketParticipantAdded(address: "noc@isp.example")),
        .participantRemoved(TicketParticipantRemoved(address: "noc@isp.example")),
        .commented(TicketCommented(text: "Rebooted the router.\nLine two", visibility: .public)),
        .commented(TicketCommented(text: "Client is grumpy", visibility: .internal)),
        .commented(TicketCommented(text: "We are on it.", visibility: .public, isAutomatic: true)),
        .commented(TicketCommented(text: "Still down here", visibility: .public, isFromClient: true)),
        .commented(TicketCommented(text: "Please power-cycle it.", visibility: .public, mailMessageId: "b1@msp.example")),
        .commented(TicketCommented(text: "Your password was reset.", visibility: .public, mailSubject: "Password reset for Carla")),
        .statusChanged(TicketStatusChanged(status: .waitingOnClient, previousStatus: .inProgress)),
        .merged(TicketMerged(into: Fixture.t1002)),
        .mergeReceived(TicketMergeReceived(from: Fixture.t1001)),
        .closed(TicketClosed(resolution: "Replaced the PSU")),
        .closed(TicketClosed(resolution: "Duplicate", noTimeReason: "Opened twice by the client")),
        .reopened(TicketReopened(reason: "Came back")),
        .reopened(TicketReopened(reason: nil)),
    ]

    static let clients: [ClientEvent] = [
        Fixture.registeredAcme,
        .registered(ClientRegistered(code: "b2", name: "B2", domains: [], timeZone: "UTC", currency: "USD")),
        .updated(
            ClientUpdated(name: "Acme Inc", domains: ["acme.example", "acme.test"], timeZone: "America/New_York")),
        .updated(ClientUpdated(name: "Acme Inc")),
        .updated(ClientUpdated(billingAddress: ["Acme Corp", "12 Rue de la Paix", "75002 Paris"], taxId: "FR40303265045")),
        .updated(ClientUpdated(billingAddress: [], taxId: "")),
        .deactivated(ClientDeactivated()),
        .reactivated(ClientReactivated()),
        .contactAdded(
            ClientContactAdded(contactId: "c-1", name: "Jane", email: "jane@acme.example", phone: "+33 1 23")),
        .contactAdded(ClientContactAdded(contactId: "c-2", name: "Joe", email: "joe@acme.example", phone: nil)),
        .contactAdded(ClientContactAdded(contactId: "c-3", name: "Ann", email: "ann@acme.example", phone: nil, unverified: true)),
        .contactAdded(ClientContactAdded(contactId: "c-4", name: "Bea", email: "bea@acme.example", phone: nil, billing: true)),
        .contactUpdated(ClientContactUpdated(contactId: "c-1", name: "Jane D", email: "jd@acme.example", phone: nil)),
        .contactUpdated(ClientContactUpdated(contactId: "c-1", name: "Jane D", email: "jd@acme.example", phone: "555")),
        .contactUpdated(ClientContactUpdated(contactId: "c-4", name: "Bea", email: "bea@acme.example", phone: nil, billing: true)),
        .contactRemoved(ClientContactRemoved(contactId: "c-2")),
    ]

    static let contracts: [ContractEvent] = [
        .created(
            ContractCreated(
                id: "acme-2026", client: "acme", name: "Managed services 2026", effectiveFrom: Fixture.date(1, 1),
                slaPolicy: "gold",
                billingTerms: [
                    "monthlyFee": 150_000, "currency": "EUR", "included": ["hours": 10, "onsite": true],
                    "notes": nil, "tiers": [1, "two", false],
                ])),
        .created(
            ContractCreated(
                id: "b2-basic", client: "b2", name: "Basic", effectiveFrom: Timestamp(millisecondsSinceEpoch: 1_234),
                slaPolicy: nil, billingTerms: nil)),
        .amended(
            ContractAmended(amendment: 1, effectiveFrom: Fixture.date(3, 1), slaPolicy: "silver", billingTerms: nil)),
        .amended(
            ContractAmended(amendment: 2, effectiveFrom: Fixture.date(2, 1), slaPolicy: nil, billingTerms: ["x": -5])),
        .ended(ContractEnded(effectiveFrom: Fixture.date(12, 31))),
        .ended(ContractEnded(effectiveFrom: Fixture.date(11, 30), previousEnd: Fixture.date(12, 31))),
    ]

    static let users: [UserEvent] = [
        .added(UserAdded(login: "alice", name: "Alice", email: "alice@msp.example", role: .tech)),
        .added(UserAdded(login: "j.doe_2", name: "J", email: "j@msp.example", role: .admin)),
        .roleChanged(UserRoleChanged(role: .dispatcher, previousRole: .tech)),
        .deactivated(UserDeactivated()),
        .reactivated(UserReactivated()),
        .costRateSet(UserCostRateSet(version: 1, costPerHourMinor: 4_500, currency: "USD", effectiveFrom: Fixture.date(1, 1))),
        .timeZoneSet(UserTimeZoneSet(timeZone: "America/New_York")),
        .timeZoneSet(UserTimeZoneSet(timeZone: nil)),
        .osAccountSet(UserOSAccountSet(uid: 1001)),
        .osAccountSet(UserOSAccountSet(uid: nil)),
        .kindSet(UserKindSet(kind: .service)),
        .kindSet(UserKindSet(kind: .person)),
    ]

    static let templates: [TemplateEvent] = [
        .added(TemplateAdded(name: "first-response", subject: "Re: {{ticket.subject}}", body: "Hi {{contact.name}},")),
        .added(TemplateAdded(name: "bye", subject: nil, body: "Bye")),
        .updated(TemplateUpdated(subject: "[{{ticket.number}}]", body: "Hello {{contact.name}} from {{tech.name}}")),
        .updated(TemplateUpdated(subject: nil, body: "Hello")),
        .removed(TemplateRemoved()),
    ]

    static let tokens: [TokenEvent] = [
        .created(
            TokenCreated(
                tokenId: "3f9a0c1d2e4b", user: "bob", name: "laptop", salt: String(repeating: "ab", count: 16),
                hash: String(repeating: "0f", count: 32), expiresAt: Timestamp(millisecondsSinceEpoch: 1_800_000_000_000))),
        .created(
            TokenCreated(
                tokenId: "000000000001", user: "ci.bot", name: "ci", salt: String(repeating: "01", count: 16),
                hash: String(repeating: "e9", count: 32), expiresAt: nil)),
        .revoked(TokenRevoked(reason: "laptop stolen")),
        .revoked(TokenRevoked(reason: nil)),
    ]

    static let portal: [PortalEvent] = [
        .linkIssued(PortalLinkIssued(
            client: "acme", contact: "acme-1", email: "carla@acme.example", linkHash: String(repeating: "ab", count: 32),
            expiresAt: Timestamp(millisecondsSinceEpoch: 1_800_000_900_000))),
        .linkUsed(PortalLinkUsed(
            linkHash: String(repeating: "ab", count: 32), sessionHash: String(repeating: "cd", count: 32),
            sessionExpiresAt: Timestamp(millisecondsSinceEpoch: 1_802_592_000_000))),
        .signedOut(PortalSignedOut(sessionHash: String(repeating: "cd", count: 32))),
    ]

    static let hooks: [HookEvent] = {
        let one = SealedHookSecret(keyId: "0123456789abcdef", sealed: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", fingerprint: "fedcba9876543210")
        let two = SealedHookSecret(keyId: "0123456789abcdef", sealed: "qrvM3e7/", fingerprint: "00112233aabbccdd")
        return [
            .created(HookCreated(source: "ninja-rmm", format: .generic, actsAs: "intake", defaultClient: "acme", secret: one)),
            .created(HookCreated(source: "prometheus", format: .alertmanager, actsAs: "intake", defaultClient: nil, secret: one)),
            .created(HookCreated(source: "mail", format: .mail, actsAs: "intake", defaultClient: "triage", secret: one)),
            .rotated(HookRotated(secret: two, previousValidUntil: Timestamp(millisecondsSinceEpoch: 1_800_000_000_000))),
            .rotated(HookRotated(secret: two, previousValidUntil: nil)),
        ]
    }()

    /// Every sample, as any domain event.
    static let all: [DocketEvent] =
        tickets.map(DocketEvent.ticket) + clients.map(DocketEvent.client) + contracts.map(DocketEvent.contract)
        + users.map(DocketEvent.user) + templates.map(DocketEvent.template) + sla + alerts + mail + outbox + routing + time + invoices
        + tokens.map(DocketEvent.token) + hooks.map(DocketEvent.hook) + portal.map(DocketEvent.portal) + fromSchemaExamples

    /// The samples schemas carry in their `examples` (`ticket.due-date-set.v1`'s, for one), read as Docket reads the
    /// log: a new event type's samples may live in its schema, so adding one touches no sample file. An example that
    /// does not decode is left out here and reported by `EventSchemaTests.schemaExamplesAreWhatDocketWrites`.
    static let fromSchemaExamples: [DocketEvent] = schemaExamples.compactMap { try? DocketEvent.decode(type: $0.entry.type, schemaVersion: $0.entry.schemaVersion, payload: $0.payload) }

    /// Each schema's `examples`, as canonical JSON payloads.
    static let schemaExamples: [(entry: EventDescriptor, payload: [UInt8])] = EventCatalog.all.flatMap { entry in
        let data = (try? Data(contentsOf: Repository.schemas.appendingPathComponent(entry.schemaFileName))) ?? Data()
        let schema = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        return (schema?["examples"] as? [Any] ?? []).compactMap { example in
            (try? JSONSerialization.data(withJSONObject: example, options: [.sortedKeys])).map { (entry, Array($0)) }
        }
    }

    /// Invoice events on billing and number-sequence streams.
    static let invoices: [DocketEvent] = {
        let charge = Charge(
            key: "time:T-1042:2026-11:remote:after-hours:acme-msa#1", kind: .time, period: "2026-11",
            description: "T-1042 remote, 2026-11, after hours ×150%", ticket: "T-1042", workType: "remote", afterHours: true,
            contract: "acme-msa", amendment: 1, currency: "USD",
            entries: [ChargedEntry(entryId: "TE-7", tech: "bob", startedAt: "2026-11-03T22:00:00.000Z", minutes: 50, workType: "remote", position: 42)],
            loggedMinutes: 50, roundingMinutes: 10, minimumMinutes: 0, coveredMinutes: 30, coverage: "block 2026-Q4", chargedMinutes: 30,
            ratePerHour: 12_000, multiplierPercent: 150, amount: 9_000, taxBasisPoints: 825)
        let line = InvoiceLine(
            charge: charge, previousChargedMinutes: 60, previousCoveredMinutes: 0, previousAmount: 18_000, previousInvoices: ["acme-D1"],
            adjustment: true)
        return [
            .invoice(.drafted(InvoiceDrafted(
                invoice: "acme-D2", client: "acme", period: "2026-11", currency: "USD", lines: [line], subtotal: -9_000,
                taxes: [TaxLine(basisPoints: 825, base: -9_000, tax: -743)], total: -9_743, draftedAt: "2026-12-01T09:00:00.000Z",
                timeZone: "America/New_York"))),
            .invoice(.finalized(InvoiceFinalized(
                invoice: "acme-D2", number: "INV-2026-0002", finalizedAt: "2026-12-01T09:05:00.000Z",
                billTo: BillTo(name: "Acme", address: ["12 Rue de la Paix", "75002 Paris"], taxId: "FR40303265045", purchaseOrders: ["4500012345"])))),
            .invoice(.discarded(InvoiceDiscarded(invoice: "acme-D3", reason: "Rerun after corrections"))),
            .invoice(.voided(InvoiceVoided(
                invoice: "acme-D2", number: "INV-2026-0002", creditNote: "CN-2026-0001", reason: "Wrong client", voidedAt: "2026-12-02T10:00:00.000Z"))),
            .invoice(.numberIssued(InvoiceNumberIssued(number: "INV-2026-0002", invoice: "acme-D2", client: "acme"))),
        ]
    }()

    /// Time entry and timer events.
    static let time: [DocketEvent] = [
        .time(.logged(TimeLogged(
            entryId: "TE-7", ticket: "T-1042", tech: "bob", minutes: 45, workType: "remote", billable: true,
            startedAt: "2026-11-03T14:00:00.000Z", note: "Reset the VPN profile"))),
        .time(.corrected(TimeCorrected(
            minutes: 30, workType: "onsite", billable: false, startedAt: "2026-11-03T13:30:00.000Z", note: "On site", reason: "Typed the wrong duration"))),
        .time(.voided(TimeVoided(reason: "Duplicate of TE-6"))),
        .time(.timerStarted(TimerStarted(ticket: "T-1042", workType: "remote", startedAt: "2026-11-03T10:00:00.000Z"))),
        .time(.timerStopped(TimerStopped(entryId: "TE-8", minutes: 41))),
        .time(.timerCancelled(TimerCancelled(ticket: "T-1042", reason: "Started on the wrong ticket"))),
        .time(.timerCancelled(TimerCancelled(ticket: "T-1042", reason: nil))),
    ]

    /// Alert events on ticket streams.
    static let alerts: [DocketEvent] = [
        .ticketAlert(.received(TicketAlertReceived(
            fingerprint: "4f660d0b61892ebc", source: "alertmanager", status: "firing", check: "DiskSpaceLow",
            device: "fs-01.globex.local:9182", severity: "warning", summary: "Disk C: below 10% free",
            description: "Volume C: has less than 10% free space", startsAt: "2026-11-29T00:44:38.390Z", endsAt: "2026-11-29T01:44:38.390Z"))),
        // As written since a condition is a client's fingerprint.
        .ticketAlert(.received(TicketAlertReceived(
            fingerprint: "disk-C", source: "generic", status: "resolved", check: "disk-space", device: nil, severity: "critical",
            summary: "C: below 5%", description: "", startsAt: nil, endsAt: nil, client: "globex"))),
        // From a delivery the sender cut (`truncatedAlerts`), as written since that is recorded.
        .ticketAlert(.received(TicketAlertReceived(
            fingerprint: "03be85ff43946bfd", source: "alertmanager", status: "firing", check: "BackupJobFailed",
            device: "nas-01.initech.local", severity: "critical", summary: "Backup job failed on nas-01", description: "",
            startsAt: "2026-11-29T00:44:38.390Z", endsAt: nil, client: "initech", truncatedAlerts: 2))),
    ]

    /// Mail events on ticket streams.
    static let mail: [DocketEvent] = [
        .ticketMail(.received(TicketMailReceived(
            messageId: "CAHx1@mail.globex.example", from: "jane@globex.example", fromName: "Jane Doe",
            subject: "Printer offline", text: "The printer on floor 2 is offline.", kind: "new",
            attachments: [MailAttachmentRef(name: "photo.jpg", contentType: "image/jpeg", size: 3, sha256: "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81")]))),
        .ticketMail(.received(TicketMailReceived(
            messageId: "CAHx2@mail.globex.example", from: "jane@globex.example", fromName: nil,
            subject: "Re: [T-1001] Printer offline", text: "Still offline.", kind: "reply", attachments: [],
            to: ["support@msp.example"], cc: ["bob@globex.example"], references: ["CAHx1@mail.globex.example"]))),
        .ticketAttachment(.added(TicketAttachmentAdded(
            name: "screenshot.png", contentType: "image/png", size: 3, sha256: "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81"))),
    ]
}

extension EventSamples {
    /// Outbound mail: queued on ticket streams, delivery attempts on `mail-` streams.
    static let outbox: [DocketEvent] = [
        .outbox(.queued(TicketMailQueued(
            messageId: "T-1001.2.5f3a9c1e@docket", reason: .reply, to: ["jane@globex.example"], subject: "Re: [T-1001] Printer offline",
            inReplyTo: "CAHx1@mail.globex.example",
            message: "From: support@localhost.localdomain\r\nTo: jane@globex.example\r\nSubject: Re: [T-1001] Printer offline\r\n\r\nOn it.\r\n"))),
        .outbox(.queued(TicketMailQueued(
            messageId: "T-1001.3.1a2b3c4d@docket", reason: .resolution, to: ["jane@globex.example", "noc@isp.example"],
            subject: "[T-1001] Printer offline", inReplyTo: "CAHx1@mail.globex.example",
            message: "From: support@localhost.localdomain\r\nTo: jane@globex.example\r\nCc: noc@isp.example\r\n\r\nFixed.\r\n",
            cc: ["noc@isp.example"]))),
        .outbox(.queued(TicketMailQueued(
            messageId: "T-1002.1.0a0b0c0d@docket", reason: .acknowledgement, to: ["carla@acme.example"], subject: "[T-1002] VPN down",
            inReplyTo: nil, message: "From: support@localhost.localdomain\r\nTo: carla@acme.example\r\n\r\nWe have it.\r\n"))),
        .outbox(.sent(MailSent(messageId: "T-1001.2.5f3a9c1e@docket", attempt: 2, transport: "sendmail /usr/sbin/sendmail"))),
        .outbox(.sendFailed(MailSendFailed(
            messageId: "T-1001.2.5f3a9c1e@docket", attempt: 1, transport: "sendmail /usr/sbin/sendmail", exitStatus: 75,
            error: "sendmail: fatal: queue file write error"))),
        .outbox(.sendFailed(MailSendFailed(
            messageId: "T-1002.1.0a0b0c0d@docket", attempt: 1, transport: "sendmail /nonexistent", exitStatus: nil,
            error: "could not run /nonexistent"))),
        .outbox(.sendFailed(MailSendFailed(
            messageId: "T-1002.page-1.0a0b0c0d@docket", attempt: 1, transport: "webhook on-call", exitStatus: nil,
            error: "HTTP 410 from https://pager.msp.example/docket", final: true))),
        .outbox(.bounced(TicketMailBounced(
            messageId: "T-1001.2.5f3a9c1e@docket", reportMessageId: "20261203081500.4A1B2@mx.globex.example", rule: "delivery-status-report"))),
        .outbox(.cancelled(MailCancelled(messageId: "T-1002.1.0a0b0c0d@docket", reason: "contact acme-1 was removed from client acme"))),
        .outbox(.requeued(MailRequeued(messageId: "T-1002.1.0a0b0c0d@docket", attemptsBefore: 12))),
    ]
}

extension EventSamples {
    /// Routing-rules events (stream `routing-rules`).
    static let routing: [DocketEvent] = [
        .routing(.set(RoutingRulesSet(rules: [
            RoutingRule(
                id: "vip-outage",
                match: RoutingConditions(client: ["acme"], source: [.email], subjectContains: ["outage", "down"]),
                actions: RoutingActions(priority: .p1, assign: "dora", replyTemplate: "outage-ack")),
            RoutingRule(
                id: "db-alerts",
                match: RoutingConditions(
                    category: ["database"], bodyContains: ["replication"], alertLabels: ["team": "db"], severity: ["critical"]),
                actions: RoutingActions(category: "database")),
            RoutingRule(id: "catch-all", actions: RoutingActions(queue: "triage")),
        ]))),
    ]
}

extension DocketEvent: CustomTestStringConvertible {
    public var testDescription: String {
        "\(eventType).v\(schemaVersion) " + String(decoding: payload(), as: UTF8.self).prefix(60)
    }
}
