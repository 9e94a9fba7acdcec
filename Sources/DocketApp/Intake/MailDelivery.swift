import Domain
import EventLog
import MailParser

/// One raw message handed over by a mail transport (LMTP, `POST /hooks/mail/<source>`): parsed and taken by mail
/// intake exactly as `docket intake email` takes it, and answered in the three ways a transport can answer.
public struct MailDelivery: Sendable {
    /// What became of a message.
    public enum Outcome: Sendable, Equatable {
        /// Taken (opened, replied, noted, dropped as machine mail, or a duplicate): the text says which.
        case delivered(String)
        /// Not taken now, and nothing written: the sender must keep it and try again (the store is unavailable, the
        /// intake user is deactivated, …). LMTP `451`, HTTP `503`.
        case tryLater(String)
        /// Never taken as it is (unreadable without a triage client): the sender should bounce it. LMTP `550`, HTTP
        /// `422`.
        case rejected(String)
        /// Never taken from this sender (no client knows it, and there is no triage client): `reason` for the
        /// operator (names the fix), ``senderRefusal`` for the sender, whom an MTA's bounce tells. LMTP `550 5.7.1`
        /// with the sender's text (the reason goes to the operator's log), HTTP `422` with the reason.
        case refusedSender(reason: String)
    }

    /// What a sender no client knows is told, in the bounce their mail server sends them: not the operator's fix
    /// (`docket client contact add`, `--triage-client`), which named our tools to a stranger.
    public static let senderRefusal =
        "this support address takes mail from our clients' known addresses only; if you are a client, ask us to add this address"

    let service: IntakeService
    let policy: MailPolicy
    let actor: String

    /// Deliveries to `service` with `policy`, acting as `actor`.
    public init(service: IntakeService, policy: MailPolicy, actor: String) {
        self.service = service
        self.policy = policy
        self.actor = actor
    }

    /// Takes `raw` (the message's bytes, CRLF or LF line ends).
    @available(*, noasync, message: "appends to the store")
    public func deliver(_ raw: [UInt8]) -> Outcome {
        do {
            // The acting user first: a deactivated or unknown intake user is the operator's to fix, not the sender's.
            _ = try service.shared.context(for: actor)
        } catch {
            return .tryLater("intake cannot act as \(actor): \(error)")
        }
        do {
            switch Result<ParsedMessage, any Error>(catching: { try ParsedMessage(parsing: raw) }) {
            case .success(let message):
                return .delivered(describe(try service.receiveMail(message, raw: raw, policy: policy, as: actor)))
            case .failure(let failure):
                guard let error = failure as? MailParseError, error.code != .emptyInput, policy.triageClient != nil else {
                    return .rejected((failure as? MailParseError)?.message ?? "\(failure)")
                }
                return .delivered(describe(try service.receiveUnparsedMail(raw, error: error, policy: policy, as: actor)))
            }
        } catch let error as DomainError where error.code == .notFound && policy.triageClient == nil {
            // A sender no client knows, and no triage client to take it: it will never be taken as it is.
            return .refusedSender(reason: error.message)
        } catch let error as DomainError {
            return .tryLater(error.message)
        } catch {
            return .tryLater("the store cannot take mail now: \(error)")
        }
    }

    private func describe(_ outcome: MailOutcome) -> String {
        switch outcome {
        case .opened(let number): "opened \(number)"
        case .reply(let number): "reply on \(number)"
        case .reopened(let number): "reopened \(number)"
        case .staffReply(let number, let login): "reply by \(login) on \(number)"
        case .noted(let number, let kind): "\(kind) noted on \(number)"
        case .duplicate(let number): "duplicate, already on \(number)"
        case .dropped(let kind): "dropped (\(kind))"
        }
    }
}
