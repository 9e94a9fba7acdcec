import Foundation

/// The keys an operator's file may hold, level by level, so a misspelt key is refused instead of ignored.
indirect enum FileKeys: Sendable {
    /// A mapping with exactly these keys (each optional), each value of its shape.
    case object([String: FileKeys])
    /// A mapping whose keys the decoder checks (weekdays, priorities, dates), each value of this shape.
    case map(FileKeys)
    /// A list, each item of this shape.
    case list(FileKeys)
    /// A scalar (or anything the decoder checks alone).
    case value
    /// A mapping whose keys depend on the string under `tag`: the variants' keys by tag value (the tag included). A
    /// tag value no variant has is the decoder's to refuse; its keys are checked against every variant's.
    case tagged(String, [String: [String: FileKeys]])

    /// A calendar file (`docket calendar define/amend --file`).
    static let calendar: FileKeys = {
        let slots = FileKeys.list(.object(["open": .value, "close": .value]))
        return .object([
            "timeZone": .value, "weeklyHours": .map(slots), "holidays": .value, "replacementHours": .map(slots),
        ])
    }()

    /// An SLA policy file (`docket sla-policy define/amend --file`).
    static let slaPolicy: FileKeys = .object([
        "calendar": .value,
        "calendars": .map(.value),
        "targets": .map(.object(["responseMinutes": .value, "resolutionMinutes": .value])),
        "warnAtPercent": .value,
        "escalations": .list(
            .object([
                "id": .value, "priorities": .value, "untouchedMinutes": .value,
                "action": .tagged(
                    "kind",
                    [
                        "notify-dispatchers": ["kind": .value], "assign": ["kind": .value, "login": .value],
                        "raise-priority": ["kind": .value], "page": ["kind": .value, "channel": .value],
                    ]),
            ])),
    ])

    /// Throws `badInput` naming the first key of `data` (JSON) that this shape does not have, with its place in
    /// the file, the file and the keys allowed there.
    func check(_ data: Data, path: String, flag: String) throws {
        guard let value = try? JSONSerialization.jsonObject(with: data) else { return }
        if let (key, place, allowed, variant) = firstUnknown(in: value, at: []) {
            let whereText = place.isEmpty ? "" : " in \(place.joined(separator: "."))"
            throw CLIError.badInput(
                "\(flag) \(path): unknown key '\(key)'\(whereText)\(variant.map { " with \($0)" } ?? ""); the keys there are "
                    + allowed.joined(separator: ", "))
        }
    }

    /// The first unknown key: the key, its place, the keys allowed there and, in a tagged mapping, the variant
    /// (`kind: raise-priority`) that does not allow it.
    private func firstUnknown(in value: Any, at place: [String]) -> (String, [String], [String], String?)? {
        switch (self, value) {
        case (.object(let keys), let map as [String: Any]):
            for key in map.keys.sorted() {
                guard let shape = keys[key] else { return (key, place, keys.keys.sorted(), nil) }
                if let found = shape.firstUnknown(in: map[key] as Any, at: place + [key]) { return found }
            }
        case (.tagged(let tag, let variants), let map as [String: Any]):
            guard let name = map[tag] as? String, let keys = variants[name] else {
                let union = variants.values.reduce(into: [String: FileKeys]()) { $0.merge($1) { first, _ in first } }
                return FileKeys.object(union).firstUnknown(in: value, at: place)
            }
            if let found = FileKeys.object(keys).firstUnknown(in: value, at: place) {
                return found.1 == place ? (found.0, found.1, found.2, "\(tag): \(name)") : found
            }
        case (.map(let shape), let map as [String: Any]):
            for key in map.keys.sorted() {
                if let found = shape.firstUnknown(in: map[key] as Any, at: place + [key]) { return found }
            }
        case (.list(let shape), let list as [Any]):
            for (index, item) in list.enumerated() {
                if let found = shape.firstUnknown(in: item, at: place + ["\(index)"]) { return found }
            }
        default:
            break
        }
        return nil
    }
}
