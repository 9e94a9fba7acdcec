import DocketApp
import Domain
import EventLog
import Foundation
import TestSupport

/// A store with an admin, a dispatcher, two techs, a billing user and two clients with contacts.
struct ServiceFixture {
    let folder = TemporaryFolder()
    let clock = ManualClock("2026-11-02T09:00:00Z")
    let store: EventStore
    let models = ReadModels()
    let app: DocketApplication

    /// `extraProjections` are kept after the app's read models (a test's own probes). `routesAppends` false: every
    /// append applies each event to every model (`EventStore.routesAppends`), from the first.
    init(extraProjections: [any Projection] = [], routesAppends: Bool = true) throws {
        store = try EventStore(path: folder.child("store"), clock: clock, projections: models.all + extraProjections)
        store.routesAppends = routesAppends
        app = DocketApplication(store: store, models: models, clock: clock)
        try app.directory.bootstrapAdmin(login: "ann", name: "Ann Admin", email: "ann@msp.example")
        for (login, role) in [("dora", Role.dispatcher), ("bob", .tech), ("tia", .tech), ("bill", .billing)] {
            try app.directory.user(login, .add(AddUser(login: login, name: login.capitalized, email: "\(login)@msp.example", role: role)), as: "ann")
        }
        try app.directory.client("acme", .register(RegisterClient(code: "acme", name: "Acme Dental", domains: ["acme.example"], timeZone: "America/New_York", currency: "USD")), as: "dora")
        try app.directory.client("globex", .register(RegisterClient(code: "globex", name: "Globex", domains: ["globex.example"], timeZone: "Europe/Berlin", currency: "EUR")), as: "dora")
        try app.directory.addContact(to: "acme", ContactDetails(name: "Carla Client", email: "carla@acme.example"), as: "dora")
    }
}
