/// Whom an invoice is addressed to, as accounts payable need it: the client's name, postal address and tax id, and
/// the purchase orders of the contracts it bills (docs/billing.md, "Bill-to"). An invoice records the details in force
/// when it is finalized (`billTo` on `invoice.finalized`) and shows them ever after; a draft shows the current ones.
public struct BillTo: Codable, Sendable, Equatable {
    /// The client's display name.
    public var name: String
    /// The postal address, one line each; absent when the client has none.
    public var address: [String]?
    /// The client's tax (VAT) id; absent when it has none.
    public var taxId: String?
    /// The purchase orders (`purchaseOrder` of the billing terms) of the contract versions behind the invoice's lines,
    /// in line order, each once; absent when none of them has one.
    public var purchaseOrders: [String]?

    /// Bill-to details with every field given; empty lists are kept as absent.
    public init(name: String, address: [String]? = nil, taxId: String? = nil, purchaseOrders: [String]? = nil) {
        self.name = name
        self.address = address?.isEmpty == true ? nil : address
        self.taxId = taxId
        self.purchaseOrders = purchaseOrders?.isEmpty == true ? nil : purchaseOrders
    }

    /// The bill-to of an invoice of `client` with `lines`, as `client` and `contracts` stand now: each line's purchase
    /// order is that of the contract version that priced its charge (the contract and amendment on the charge).
    public static func of(client: ClientState, contracts: [ContractState], lines: [InvoiceLine]) -> BillTo {
        var orders: [String] = []
        for line in lines {
            guard let contract = contracts.first(where: { $0.id == line.charge.contract }),
                let version = contract.versions.last(where: { $0.amendment == line.charge.amendment }),
                case .object(let terms)? = version.billingTerms, case .string(let order)? = terms["purchaseOrder"],
                !orders.contains(order)
            else { continue }
            orders.append(order)
        }
        return BillTo(
            name: client.name, address: client.billingAddress, taxId: client.taxId, purchaseOrders: orders)
    }

    /// The lines a document prints under `bill to`: the name, the address, `tax id …` and `PO …`.
    public var lines: [String] {
        var lines = [name] + (address ?? [])
        if let taxId { lines.append("tax id \(taxId)") }
        if let purchaseOrders { lines.append("PO \(purchaseOrders.joined(separator: ", "))") }
        return lines
    }
}
