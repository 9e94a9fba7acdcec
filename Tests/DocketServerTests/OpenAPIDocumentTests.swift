import DocketServer
import Foundation
import Testing
import Yams

/// schemas/openapi.yaml and the routes the server registers describe the same API.
@Suite struct OpenAPIDocumentTests {
    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("schemas/openapi.yaml")

    func operations() throws -> Set<String> {
        let text = try String(contentsOf: Self.document, encoding: .utf8)
        let root = try #require(try Yams.load(yaml: text) as? [String: Any])
        #expect(root["openapi"] as? String == "3.1.0")
        let paths = try #require(root["paths"] as? [String: Any])
        var operations: Set<String> = []
        for (path, item) in paths {
            for method in (item as? [String: Any] ?? [:]).keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        return operations
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedOperationIsServed() throws {
        let served = Set(DocketServer.operations)
        let documented = try operations()
        #expect(served.subtracting(documented).isEmpty, "served but not in schemas/openapi.yaml: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
    }

    /// The portal's HTML pages are left out of the JSON API's document on purpose (docs/operations.md), and are
    /// all under /portal, apart from every API route.
    @Test func theHTMLPortalPagesAreExplicitlyLeftOutOfTheDocument() throws {
        let pages = Set(DocketServer.htmlPages)
        #expect(pages.count == 17)
        #expect(pages.allSatisfy { $0.split(separator: " ").last?.hasPrefix("/portal") == true })
        #expect(pages.isDisjoint(with: try operations()))
        #expect(pages.isDisjoint(with: DocketServer.operations))
    }

    /// Every body field and query parameter a route reads is a property or parameter of its documented operation, and
    /// so are the `If-Match` a write on a ticket honours and the `ETag` a ticket's read sends.
    @Test func everyFieldARouteReadsIsDocumented() throws {
        let text = try String(contentsOf: Self.document, encoding: .utf8)
        let root = try #require(try Yams.load(yaml: text) as? [String: Any])
        let paths = try #require(root["paths"] as? [String: Any])
        for route in ResourceRoute.all {
            let operation = try #require((paths[route.path] as? [String: Any])?[route.method.rawValue.lowercased()] as? [String: Any])
            let yaml = try Yams.dump(object: operation) + (try Yams.dump(object: root["components"] ?? [:]))
            for name in route.fieldNames {
                #expect(yaml.contains("\(name):") || yaml.contains("name: \(name)"), "\(route.method) \(route.path) reads \(name)")
            }
            if route.isRead {
                #expect(yaml.contains("#/components/parameters/AsOf"), "\(route.method) \(route.path) takes asOf")
            }
            if route.honoursIfMatch {
                #expect(yaml.contains("#/components/parameters/IfMatch"), "\(route.method) \(route.path) honours If-Match")
            }
            if route.tagsVersion {
                #expect(try Yams.dump(object: operation).contains("ETag:"), "\(route.method) \(route.path) sends an ETag")
            }
        }
    }
}
