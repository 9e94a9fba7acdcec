import BusinessTime
import DocketTime
import Foundation

/// `Tests/Fixtures/business-hours/vectors.json`: business-time cases transcribed from public libraries.
struct VectorFile: Decodable {
    struct Crosscheck: Decodable {
        var boundaryEnd: String?
        var boundaryNextOpen: String?
        var referenceSeconds: Int64?
    }

    /// What the vectors share: a zone, weekly hours, holidays and replacement hours.
    struct Setup: Decodable {
        var tz: String
        var schedule: [String: [[String]]]
        var holidays: [String]?
        var holidayHours: [String: [[String]]]?

        func calendar() throws -> BusinessCalendar {
            var weekly: [Weekday: [BusinessSlot]] = [:]
            for (key, pairs) in schedule {
                guard let day = Weekday(rawValue: key) else { throw VectorError("unknown weekday \(key)") }
                weekly[day] = try pairs.map(Self.slot)
            }
            var replacements: [LocalDate: [BusinessSlot]] = [:]
            for (date, pairs) in holidayHours ?? [:] {
                replacements[try LocalDate(parsing: date)] = try pairs.map(Self.slot)
            }
            return try BusinessCalendar(
                timeZone: tz, weeklyHours: WeeklyHours(weekly),
                holidays: (holidays ?? []).map { try LocalDate(parsing: $0) }, replacementHours: replacements)
        }

        private static func slot(_ pair: [String]) throws -> BusinessSlot {
            guard pair.count == 2 else { throw VectorError("slot \(pair) is not [open, close]") }
            return try BusinessSlot(pair[0], pair[1])
        }
    }

    struct AddVector: Decodable {
        var id: String
        var setup: Setup
        var startUtc: String
        var expectedUtc: String
        var addSeconds: Int64?
        var addMinutes: Int64?
        var addHours: Int64?
        var librarySemantics: String?
        var crosscheck: Crosscheck

        var amountInSeconds: Int64? {
            addSeconds ?? addMinutes.map { $0 * 60 } ?? addHours.map { $0 * 3600 }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .id)
            setup = try Setup(from: decoder)
            startUtc = try container.decode(String.self, forKey: .startUtc)
            expectedUtc = try container.decode(String.self, forKey: .expectedUtc)
            addSeconds = try container.decodeIfPresent(Int64.self, forKey: .addSeconds)
            addMinutes = try container.decodeIfPresent(Int64.self, forKey: .addMinutes)
            addHours = try container.decodeIfPresent(Int64.self, forKey: .addHours)
            librarySemantics = try container.decodeIfPresent(String.self, forKey: .librarySemantics)
            crosscheck = try container.decode(Crosscheck.self, forKey: .crosscheck)
        }

        private enum CodingKeys: String, CodingKey {
            case id, startUtc, expectedUtc, addSeconds, addMinutes, addHours, librarySemantics, crosscheck
        }
    }

    struct ElapsedVector: Decodable {
        var id: String
        var op: String
        var setup: Setup
        var start: String
        var end: String
        var expectedSeconds: Int64
        var crosscheck: Crosscheck

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .id)
            op = try container.decode(String.self, forKey: .op)
            setup = try Setup(from: decoder)
            start = try container.decode(String.self, forKey: .start)
            end = try container.decode(String.self, forKey: .end)
            expectedSeconds = try container.decode(Int64.self, forKey: .expectedSeconds)
            crosscheck = try container.decode(Crosscheck.self, forKey: .crosscheck)
        }

        private enum CodingKeys: String, CodingKey {
            case id, op, start, end, expectedSeconds, crosscheck
        }
    }

    struct DSTRule: Decodable {
        var id: String
        var tz: String
        var schedule: [String: [[String]]]?
        var start: String?
        var local: String?
        var resolvesTo: String?
    }

    var about: String
    var vectors: [AddVector]
    var elapsedVectors: [ElapsedVector]
    var dstResolutionRules: [DSTRule]

    /// The vectors live in the repository, at `Tests/Fixtures/business-hours`.
    static let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // BusinessTimeTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository root
        .appendingPathComponent("Tests/Fixtures/business-hours/vectors.json")

    static func load() throws -> VectorFile {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(VectorFile.self, from: Data(contentsOf: url))
    }

    /// The file, or nil when it cannot be read (the `vectorFileLoads` test then fails and says why).
    static let shared: VectorFile? = try? load()

    static var addIDs: [String] { shared?.vectors.map(\.id) ?? [] }
    static var elapsedIDs: [String] { shared?.elapsedVectors.map(\.id) ?? [] }

    static func addVector(_ id: String) -> AddVector? { shared?.vectors.first { $0.id == id } }
    static func elapsedVector(_ id: String) -> ElapsedVector? { shared?.elapsedVectors.first { $0.id == id } }
}

struct VectorError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
