import DocketApp
import Domain
import EventLog
import Testing

/// The server keeps the socket's users under ``DirectoryService/usersStamp()``: it must change with every user
/// event (a new user, a uid link, a deactivation) and with nothing a read model rebuild does.
@Suite struct UsersStampTests {
    let fixture: ServiceFixture
    var directory: DirectoryService { fixture.app.directory }

    init() throws {
        fixture = try ServiceFixture()
    }

    @Test func theStampIsTheUserStreamsVersionsInTheLog() throws {
        let stamp = try directory.usersStamp()
        let streams = try fixture.store.streams(prefix: "user-")
        #expect(stamp == UsersStamp(streams: streams.map(\.name), versions: streams.map(\.version)))
        #expect(stamp.streams.count >= 2)
    }

    @Test func everyUserEventChangesItAndARebuildDoesNot() throws {
        var seen = [try directory.usersStamp()]
        try directory.linkOSAccount("bob", uid: 4242, as: "ann")
        seen.append(try directory.usersStamp())
        try directory.user("zoe", .add(AddUser(login: "zoe", name: "Zoe", email: "zoe@msp.example", role: .tech)), as: "ann")
        seen.append(try directory.usersStamp())
        try directory.user("bob", .deactivate, as: "ann")
        seen.append(try directory.usersStamp())
        for (i, stamp) in seen.enumerated() {
            #expect(seen.indices.filter { seen[$0] == stamp } == [i], "stamp \(i) equals another")
        }
        let names = fixture.store.projectionNames
        try fixture.store.rebuild(names, batchSize: 1)
        #expect(try directory.usersStamp() == seen.last)
    }
}
