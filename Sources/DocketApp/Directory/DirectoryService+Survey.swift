import Domain
import EventLog

extension DirectoryService {
    /// Turns the satisfaction survey on or off (``SurveyDecider``: dispatchers and admins; the setting in force again
    /// writes nothing): the store's, or with a `client` in the command that client's opt-out (an unknown client is not
    /// found).
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func setSurvey(_ command: SurveyCommand, as actor: String, commandId: String? = nil) throws -> [SurveyEvent] {
        if let client = command.client { _ = try self.client(client) }
        let stream = command.client.map(StreamName.clientSurveySettings) ?? StreamName.surveySettings
        return try kernel.run(SurveyDecider.self, stream: stream, command: command, context: context(for: actor), commandId: commandId).events
    }

    /// The store's survey settings (off, with no portal URL, until turned on).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func surveySettings() throws -> SurveySettings {
        try kernel.load(SurveyDecider.self, stream: StreamName.surveySettings).state
    }

    /// The clients that opted out of the survey (`docket survey off --client`), by code.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func surveyOptOuts() throws -> [String] {
        try clients().compactMap(\.code).sorted().filter { code in
            let own = try kernel.load(SurveyDecider.self, stream: StreamName.clientSurveySettings(code)).state
            return own.isSet && !own.enabled
        }
    }
}
