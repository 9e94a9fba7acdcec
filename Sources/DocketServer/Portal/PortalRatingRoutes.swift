import DocketApp
import Domain
import Foundation
import HTTPTypes
import Hummingbird

/// The satisfaction survey's pages (docs/intake.md, "The client portal"): the one-click links of a resolution mail, which
/// need no sign-in, and a signed-in contact's rating on a closed ticket's page. Opening a link (GET) records nothing —
/// mail scanners fetch links — it shows the chosen rating selected and a comment box; its POST, with the CSRF token as
/// every portal form, records the rating.
extension PortalRoutes {
    func registerRatings(on router: Router<DocketRequestContext>) {
        router.get("/portal/rate/:token/:rating") { request, context in
            let text = context.parameters.get("rating") ?? ""
            guard let rating = SatisfactionRating(rawValue: text) else {
                return errorPage(.notFound, "Not found", "There is no rating “\(text.prefix(40))”: a rating is good, okay or bad.", request: request)
            }
            return try await surveyPage(request, token: context.parameters.get("token") ?? "", rating: rating)
        }
        // The link without its rating (cut off by a mail program, or typed): the same page, nothing chosen.
        router.get("/portal/rate/:token") { request, context in try await surveyPage(request, token: context.parameters.get("token") ?? "", rating: nil) }
        router.post("/portal/rate/:token") { request, context in try await rateByLink(request, token: context.parameters.get("token") ?? "") }
        router.post("/portal/tickets/:number/rating") { request, context in
            try await rateSignedIn(request, number: context.parameters.get("number") ?? "")
        }
    }

    /// The rating choices as the pages list them, `chosen` checked.
    static func ratingChoices(_ chosen: SatisfactionRating?) -> [[String: Any]] {
        SatisfactionRating.allCases.map { rating in
            ["value": rating.rawValue, "label": label(rating), "checked": rating == chosen] as [String: Any]
        }
    }

    static func label(_ rating: SatisfactionRating) -> String {
        switch rating {
        case .good: "Good"
        case .okay: "Okay"
        case .bad: "Bad"
        }
    }

    /// A rating already given, for the pages.
    static func givenValues(_ given: TicketRated?) -> [String: Any]? {
        given.map { rated in
            var values: [String: Any] = ["rating": label(rated.rating)]
            if let comment = rated.comment { values["comment"] = comment }
            return values
        }
    }

    private func surveyPage(_ request: Request, token: String, rating: SatisfactionRating?) async throws -> Response {
        let portal = app.portal
        do {
            let shown = try await BlockingWork.run { try portal.surveyLink(token) }
            var values: [String: Any] = [
                "token": token, "number": shown.number.description, "subject": shown.subject, "ratings": Self.ratingChoices(rating),
                "maxComment": Satisfaction.maxCommentBytes,
            ]
            if let given = Self.givenValues(shown.given) { values["given"] = given }
            return page("rate", title: "How did we do?", values: values, request: request)
        } catch {
            return failure(error, request: request)
        }
    }

    private func rateByLink(_ request: Request, token: String) async throws -> Response {
        let form: [String: String]
        switch try await checkedForm(request) {
        case .refused(let response): return response
        case .form(let fields, _): form = fields
        }
        let portal = app.portal
        let (rating, comment) = (form["rating"] ?? "", form["comment"])
        do {
            let rated = try await BlockingWork.run { try portal.rate(link: token, rating: rating, comment: comment) }
            return page("rated", title: "Thank you", values: ["rating": Self.label(rated.rating)], request: request)
        } catch {
            return failure(error, request: request)
        }
    }

    private func rateSignedIn(_ request: Request, number text: String) async throws -> Response {
        let form: [String: String]
        switch try await checkedForm(request) {
        case .refused(let response): return response
        case .form(let fields, _): form = fields
        }
        guard let who = try await signedIn(request) else { return errorPage(.unauthorized, "Signed out", "Sign in again to rate.", request: request) }
        guard let number = TicketNumber(text) else { return notFound(text, request: request) }
        let portal = app.portal
        let (rating, comment) = (form["rating"] ?? "", form["comment"])
        do {
            _ = try await BlockingWork.run { try portal.rate(number, rating: rating, comment: comment, for: who) }
            return redirect("/portal/tickets/\(number)")
        } catch {
            return failure(error, request: request, who: who)
        }
    }
}
