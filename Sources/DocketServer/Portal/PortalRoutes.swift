import DocketApp
import DocketTime
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The client portal (issue 13, docs/intake.md "Client portal"): server-rendered HTML for a client's contacts, over
/// ``PortalService``. Every form carries a CSRF token (a POST without the right one gets 403 and writes nothing);
/// every page escapes what it prints; another client's ticket is the same 404 as a missing one; link requests are
/// limited per client address (and per contact in the log); every body is bounded.
struct PortalRoutes: Sendable {
    let app: DocketApplication
    let guards: PortalGuard
    let site: PortalSite

    /// The portal's routes: HTML pages, listed apart from the JSON API's operations (schemas/openapi.yaml leaves them out).
    static let paths: [(method: HTTPRequest.Method, path: String)] = [
        (.get, "/portal"), (.post, "/portal/sign-in"), (.get, "/portal/link/{token}"), (.post, "/portal/link/{token}"),
        (.get, "/portal/tickets"), (.post, "/portal/tickets"), (.get, "/portal/tickets/new"), (.get, "/portal/tickets/{number}"),
        (.post, "/portal/tickets/{number}/replies"), (.get, "/portal/tickets/{number}/attachments/{sha256}"), (.post, "/portal/sign-out"),
        (.get, "/portal/invoices"), (.get, "/portal/invoices/{number}"), (.get, "/portal/rate/{token}/{rating}"), (.get, "/portal/rate/{token}"),
        (.post, "/portal/rate/{token}"),
        (.post, "/portal/tickets/{number}/rating"),
    ]

    func register(on router: Router<DocketRequestContext>) {
        router.get("/portal") { request, _ -> Response in
            if try await signedIn(request) != nil { return redirect("/portal/tickets") }
            return page("sign-in", title: "Sign in", request: request)
        }
        router.post("/portal/sign-in") { request, context in try await requestLink(request, context: context) }
        router.get("/portal/link/:token") { request, context -> Response in
            let token = context.parameters.get("token") ?? ""
            return page("landing", title: "Sign in", values: ["token": token], request: request)
        }
        router.post("/portal/link/:token") { request, context in try await redeem(request, token: context.parameters.get("token") ?? "") }
        router.get("/portal/tickets") { request, _ in try await ticketList(request, search: request.uri.queryParameters.get("q")) }
        router.get("/portal/tickets/new") { request, _ -> Response in
            guard let who = try await signedIn(request) else { return redirect("/portal") }
            let priorities = PortalService.allowedPriorities.map { ["value": $0.rawValue, "label": Self.label($0), "selected": $0 == .p3] as [String: Any] }
            return page("new-ticket", title: "New ticket", values: ["priorities": priorities], request: request, who: who)
        }
        router.post("/portal/tickets") { request, _ in try await openTicket(request) }
        router.get("/portal/tickets/:number") { request, context in try await ticketPage(request, number: context.parameters.get("number") ?? "") }
        router.post("/portal/tickets/:number/replies") { request, context in try await reply(request, number: context.parameters.get("number") ?? "") }
        router.get("/portal/tickets/:number/attachments/:sha256") { request, context in
            try await download(request, number: context.parameters.get("number") ?? "", sha256: context.parameters.get("sha256") ?? "")
        }
        router.post("/portal/sign-out") { request, _ in try await signOut(request) }
        router.get("/portal/invoices") { request, _ in try await invoiceList(request) }
        router.get("/portal/invoices/:number") { request, context in try await invoicePage(request, number: context.parameters.get("number") ?? "") }
        registerRatings(on: router)
    }

    // MARK: - Signing in and out

    private func requestLink(_ request: Request, context: DocketRequestContext) async throws -> Response {
        let form: [String: String]
        switch try await checkedForm(request) {
        case .refused(let response): return response
        case .form(let fields, _): form = fields
        }
        let address = context.channel.remoteAddress?.ipAddress ?? "local"
        if let wait = guards.limitLinkRequest(from: address, now: SystemClock().now()) {
            var response = errorPage(.tooManyRequests, "Too many requests", "Too many sign-in requests from your network; try again in \(wait) s.", request: request)
            response.headers[.retryAfter] = String(wait)
            return response
        }
        let email = String((form["email"] ?? "").prefix(254))
        let portal = app.portal
        let base = site.baseURL
        do {
            _ = try await BlockingWork.run { try portal.requestLink(email: email, baseURL: base) }
        } catch {
            return failure(error, request: request)
        }
        return page("link-sent", title: "Check your email", values: ["email": email], request: request)
    }

    private func redeem(_ request: Request, token: String) async throws -> Response {
        if case .refused(let response) = try await checkedForm(request) { return response }
        let portal = app.portal
        do {
            let cookie = try await BlockingWork.run { try portal.redeem(link: token) }
            var response = redirect("/portal/tickets")
            response.setCookie(guards.cookie(PortalGuard.sessionCookie, cookie, maxAge: Int(PortalDecider.sessionLifetime / 1000)))
            return response
        } catch {
            return failure(error, request: request)
        }
    }

    private func signOut(_ request: Request) async throws -> Response {
        if case .refused(let response) = try await checkedForm(request) { return response }
        if let who = try await signedIn(request) {
            let portal = app.portal
            do {
                try await BlockingWork.run { try portal.signOut(who) }
            } catch {
                return failure(error, request: request)
            }
        }
        var response = redirect("/portal")
        response.setCookie(guards.cookie(PortalGuard.sessionCookie, "", maxAge: 0))
        return response
    }

    // MARK: - Tickets

    private func ticketList(_ request: Request, search: String?) async throws -> Response {
        guard let who = try await signedIn(request) else { return redirect("/portal") }
        let portal = app.portal
        let directory = app.directory
        do {
            let (rows, clientName, now, clock) = try await BlockingWork.run {
                (
                    try portal.clientTickets(for: who, search: search), (try? directory.client(who.client))?.name ?? who.client, SystemClock().now(),
                    portal.clientTime(for: who)
                )
            }
            let tickets = rows.map { row -> [String: Any] in
                ["number": row.number.description, "subject": row.subject, "status": row.status.displayName, "sla": Self.slaText(row, now: now, in: clock)]
            }
            var values: [String: Any] = ["tickets": tickets, "hasTickets": !tickets.isEmpty, "clientName": clientName]
            if let search, !search.allSatisfy(\.isWhitespace) { values["search"] = search }
            return page("tickets", title: "Your tickets", values: values, request: request, who: who)
        } catch {
            return failure(error, request: request)
        }
    }

    private func ticketPage(_ request: Request, number text: String) async throws -> Response {
        guard let who = try await signedIn(request) else { return redirect("/portal") }
        guard let number = TicketNumber(text) else { return notFound(text, request: request) }
        let portal = app.portal
        do {
            let (ticket, clock) = try await BlockingWork.run { (try portal.ticket(number, for: who), portal.clientTime(for: who)) }
            let summary = ticket.summary
            let entries = ticket.entries.map { entry -> [String: Any] in
                [
                    "author": entry.author, "fromClient": entry.fromClient, "text": entry.text, "at": clock.text(entry.at),
                    "attachments": Self.attachmentValues(entry.attachments, number: number), "hasAttachments": !entry.attachments.isEmpty,
                ]
            }
            var values: [String: Any] = [
                "number": summary.number.description, "subject": summary.subject, "status": summary.status.displayName,
                "priority": summary.priority.rawValue, "sla": Self.slaText(summary, now: SystemClock().now(), in: clock), "entries": entries, "open": summary.isOpen,
                "rateable": summary.status == .closed && summary.mergedInto == nil, "ratings": Self.ratingChoices(ticket.rating?.rating),
                "maxComment": Satisfaction.maxCommentBytes,
            ]
            if let given = Self.givenValues(ticket.rating) { values["given"] = given }
            if let category = summary.category { values["category"] = category }
            return page("ticket", title: "\(summary.number) \(summary.subject)", values: values, request: request, who: who)
        } catch {
            return failure(error, request: request)
        }
    }

    // MARK: - Invoices (billing contacts)

    private func invoiceList(_ request: Request) async throws -> Response {
        guard let who = try await signedIn(request) else { return redirect("/portal") }
        let portal = app.portal
        let directory = app.directory
        do {
            let (documents, clientName, clock) = try await BlockingWork.run {
                (try portal.clientInvoices(for: who), (try? directory.client(who.client))?.name ?? who.client, portal.clientTime(for: who))
            }
            let rows = documents.map { document -> [String: Any] in
                let status =
                    document.isCreditNote
                    ? "credit note for \(document.related ?? "")" : document.related.map { "cancelled by credit note \($0)" } ?? "issued"
                return [
                    "number": document.number, "period": document.period, "issued": clock.text(iso8601: document.issuedAt),
                    "total": document.document.total, "currency": document.document.currency, "status": status,
                ]
            }
            return page("invoices", title: "Invoices", values: ["invoices": rows, "hasInvoices": !rows.isEmpty, "clientName": clientName], request: request, who: who)
        } catch {
            return failure(error, request: request, who: who)
        }
    }

    private func invoicePage(_ request: Request, number: String) async throws -> Response {
        guard let who = try await signedIn(request) else { return redirect("/portal") }
        let portal = app.portal
        do {
            let (shown, clock) = try await BlockingWork.run { (try portal.invoice(number, for: who), portal.clientTime(for: who)) }
            let document = shown.document
            var values: [String: Any] = [
                "kind": shown.isCreditNote ? "Credit note" : "Invoice", "number": shown.number, "period": shown.period,
                "issued": clock.text(iso8601: shown.issuedAt), "currency": document.currency, "subtotal": document.subtotal, "total": document.total,
                "taxes": document.taxes.map { ["text": $0] }, "footnotes": document.footnotes.map { ["text": $0] },
                "hasBillTo": !document.billTo.isEmpty, "billTo": document.billTo.map { ["text": $0] },
                "rows": document.rows.map {
                    ["line": $0.line, "description": $0.description, "hours": $0.hours, "billedTime": $0.billedTime, "rate": $0.rate,
                     "amount": $0.amount, "remark": $0.remark] as [String: Any]
                },
            ]
            if let related = shown.related {
                values["status"] = shown.isCreditNote ? "credits invoice \(related) in full" : "cancelled by credit note \(related)"
            }
            if let reason = shown.reason { values["reason"] = reason }
            return page("invoice", title: "\(shown.isCreditNote ? "Credit note" : "Invoice") \(shown.number)", values: values, request: request, who: who)
        } catch {
            return failure(error, request: request, who: who)
        }
    }

    private func reply(_ request: Request, number text: String) async throws -> Response {
        let (form, files): ([String: String], [PortalUpload])
        switch try await checkedForm(request, withFiles: true) {
        case .refused(let response): return response
        case .form(let fields, let uploads): (form, files) = (fields, uploads)
        }
        guard let who = try await signedIn(request) else { return errorPage(.unauthorized, "Signed out", "Sign in again to reply.", request: request) }
        guard let number = TicketNumber(text) else { return notFound(text, request: request) }
        let portal = app.portal
        let reply = form["text"] ?? ""
        do {
            try await BlockingWork.run { try portal.reply(number, text: reply, attachments: files, for: who) }
            return redirect("/portal/tickets/\(number)")
        } catch {
            return failure(error, request: request, who: who)
        }
    }

    private func openTicket(_ request: Request) async throws -> Response {
        let (form, files): ([String: String], [PortalUpload])
        switch try await checkedForm(request, withFiles: true) {
        case .refused(let response): return response
        case .form(let fields, let uploads): (form, files) = (fields, uploads)
        }
        guard let who = try await signedIn(request) else { return errorPage(.unauthorized, "Signed out", "Sign in again to open a ticket.", request: request) }
        guard let priority = Priority(rawValue: form["priority"] ?? "P3") else {
            return errorPage(.unprocessableContent, "Not opened", "Choose one of the priorities offered.", request: request, who: who)
        }
        let ticket = PortalTicketForm(subject: form["subject"] ?? "", description: form["description"] ?? "", category: form["category"], priority: priority)
        let portal = app.portal
        do {
            let number = try await BlockingWork.run { try portal.openTicket(ticket, attachments: files, for: who) }
            return redirect("/portal/tickets/\(number)")
        } catch {
            return failure(error, request: request, who: who)
        }
    }

    // MARK: - Helpers

    enum CheckedForm {
        case form([String: String], files: [PortalUpload])
        case refused(Response)
    }

    /// The POST's form when it is within the size limits, well formed and carries the CSRF token; else the refusal
    /// (413, 400 or 403) — before anything is read from or written to the store. Forms `withFiles` may be
    /// `multipart/form-data` with files within ``PortalService/uploadProblem(_:)``'s limits; others are 64 KiB at most.
    func checkedForm(_ request: Request, withFiles: Bool = false) async throws -> CheckedForm {
        let multipart = withFiles && PortalMultipartForm.isMultipart(request.headers[.contentType])
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: multipart ? PortalMultipartForm.maxBodyBytes : PortalGuard.maxFormBytes)
        } catch {
            let message =
                multipart
                ? "The files are over \(PortalService.maxAttachmentsTotalBytes / 1_048_576) MiB together; attach fewer or smaller ones."
                : "The form is over \(PortalGuard.maxFormBytes / 1024) KiB; shorten it."
            return .refused(errorPage(.contentTooLarge, "Too large", message, request: request))
        }
        let parsed =
            multipart
            ? PortalMultipartForm.parse(contentType: request.headers[.contentType] ?? "", body: Array(buffer: body))
            : PortalGuard.parseForm(Array(buffer: body)).map { PortalMultipartForm(fields: $0, files: []) }
        guard let form = parsed else {
            return .refused(errorPage(.badRequest, "Bad form", "The form could not be read; reload the page and try again.", request: request))
        }
        guard PortalGuard.csrfMatches(request, form: form.fields) else {
            return .refused(errorPage(.forbidden, "Refused", "The form's security token is missing or out of date; reload the page and try again.", request: request))
        }
        if let problem = PortalService.uploadProblem(form.files) {
            return .refused(errorPage(.contentTooLarge, "Too large", problem.prefix(1).uppercased() + problem.dropFirst() + ".", request: request))
        }
        return .form(form.fields, files: form.files)
    }

    /// The contact signed in with the request's session cookie, if any.
    func signedIn(_ request: Request) async throws -> PortalService.SignedIn? {
        guard let cookie = request.cookies[PortalGuard.sessionCookie]?.value, !cookie.isEmpty else { return nil }
        let portal = app.portal
        return try await BlockingWork.run { try portal.session(cookie) }
    }

    /// An HTML page (status 200 unless given), with the CSRF cookie set when the browser has none yet.
    func page(
        _ name: String, title: String, values: [String: Any] = [:], request: Request, who: PortalService.SignedIn? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        let existing = PortalGuard.csrfToken(request)
        let csrf = existing ?? PortalGuard.newToken()
        let html = PortalPages.render(name, title: title, values: values, signedIn: who.map { ($0.name, $0.client, $0.billing) }, csrf: csrf)
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        headers[.init("Referrer-Policy")!] = "no-referrer"
        headers[.init("X-Content-Type-Options")!] = "nosniff"
        var response = Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
        if existing == nil { response.setCookie(guards.cookie(PortalGuard.csrfCookie, csrf, maxAge: nil)) }
        return response
    }

    func errorPage(
        _ status: HTTPResponse.Status, _ heading: String, _ message: String, request: Request, who: PortalService.SignedIn? = nil
    ) -> Response {
        let back = who == nil ? ("/portal", "Sign in") : ("/portal/tickets", "Your tickets")
        return page(
            "error", title: heading, values: ["heading": heading, "message": message, "back": back.0, "backLabel": back.1], request: request, who: who,
            status: status)
    }

    func notFound(_ number: String, request: Request) -> Response {
        errorPage(.notFound, "Not found", "There is no ticket \(number) for you.", request: request)
    }

    /// A failed use case as a page: the refusal's own one-line message with its status; a store failure as 503.
    func failure(_ error: any Error, request: Request, who: PortalService.SignedIn? = nil) -> Response {
        guard let error = error as? DomainError else {
            return errorPage(.serviceUnavailable, "Try later", "The support desk cannot take this now; try again in a minute.", request: request, who: who)
        }
        let status: HTTPResponse.Status =
            switch error.code {
            case .notFound: .notFound
            case .unauthenticated: .forbidden
            case .invalid: .unprocessableContent
            default: .conflict
            }
        return errorPage(status, status == .notFound ? "Not found" : "Not done", error.message, request: request, who: who)
    }

    func redirect(_ path: String) -> Response {
        Response(status: .seeOther, headers: [.location: path, .cacheControl: "no-store"])
    }

    // MARK: - Formatting

    static func label(_ priority: Priority) -> String {
        switch priority {
        case .p1: "P1 – critical"
        case .p2: "P2 – high: work is blocked"
        case .p3: "P3 – normal"
        case .p4: "P4 – low: whenever you can"
        }
    }

    /// The SLA as a contact reads it: none, met, paused while waiting on them, due at a time (in `clock`'s zone, the
    /// client's), or overdue.
    static func slaText(_ row: TicketSummary, now: Timestamp, in clock: ZoneText) -> String {
        guard row.isOpen else { return "closed" }
        guard let sla = row.sla else { return "no target" }
        if sla.paused { return "paused: waiting for you" }
        guard let due = sla.dueAt, let clockName = sla.clock else { return "on track" }
        let what = clockName == .response ? "reply" : "resolution"
        let at = clock.text(Timestamp(millisecondsSinceEpoch: due))
        return due < now.millisecondsSinceEpoch ? "\(what) overdue since \(at)" : "\(what) due by \(at)"
    }
}

/// Where the portal is reached from outside: the configured public URL (`--portal-url`), else the HTTP listener's
/// address once bound. Sign-in links in mail start with it.
final class PortalSite: @unchecked Sendable {
    // @unchecked Sendable: `listening` is only touched under `lock`.
    private let lock = NSLock()
    private let configured: String?
    private var listening = "http://127.0.0.1"

    init(publicURL: String?) {
        configured = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    /// The HTTP listener is bound at `url` (`http://HOST:PORT`).
    func bound(_ url: String) { lock.withLock { listening = url } }

    /// The portal's base URL, e.g. `https://support.example/portal`.
    var baseURL: String { (configured ?? lock.withLock { listening }) + "/portal" }
}
