/// A view model as the dictionaries, arrays and scalars that swift-mustache reads by key.
///
/// Given a plain struct, swift-mustache finds each tag's value with `Mirror`, walking all of the
/// struct's fields, and every struct up the context stack, for every tag: two thirds of a
/// tracking page's CPU time went there. Encoding the model once (synthesized `Encodable`, no
/// reflection) turns each lookup into a dictionary read. Field names stay the property names,
/// and a nil optional is left out, so templates read exactly as they did.
enum TemplateTree {
    static func make(_ model: some Encodable) -> Any {
        let root = Node()
        do {
            try model.encode(to: NodeEncoder(node: root))
        } catch {
            // Only a view model written to throw gets here; reflection still renders it.
            return model
        }
        return root.resolved ?? [String: Any]()
    }
}

/// One value being built: a scalar, keyed children or a list.
private final class Node {
    var scalar: Any?
    var keyed: [String: Node]?
    var list: [Node]?

    var resolved: Any? {
        if let keyed { return keyed.compactMapValues(\.resolved) }
        if let list { return list.compactMap(\.resolved) }
        return scalar
    }

    func child(_ key: some CodingKey) -> Node {
        let child = Node()
        if keyed == nil { keyed = [:] }
        keyed?[key.stringValue] = child
        return child
    }

    func appended() -> Node {
        let child = Node()
        if list == nil { list = [] }
        list?.append(child)
        return child
    }

    /// Strings, numbers and flags are kept as they are; anything else encodes itself below.
    func store(_ value: some Encodable, codingPath: [any CodingKey]) throws {
        switch value {
        case let value as String: scalar = value
        case let value as Bool: scalar = value
        case let value as Int: scalar = value
        // Every other number too: a scalar's `encode(to:)` hands itself back to the container,
        // which must store it, not encode it again.
        case let value as Int64: scalar = value
        case let value as any BinaryInteger: scalar = Int(value)
        case let value as Double: scalar = value
        case let value as any BinaryFloatingPoint: scalar = Double(value)
        case let value as [String: String]: scalar = value  // a language's strings: read by key as they are
        default: try value.encode(to: NodeEncoder(node: self, codingPath: codingPath))
        }
    }
}

private struct NodeEncoder: Encoder {
    let node: Node
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if node.keyed == nil { node.keyed = [:] }
        return KeyedEncodingContainer(KeyedNode(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if node.list == nil { node.list = [] }
        return ListNode(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        ScalarNode(node: node, codingPath: codingPath)
    }
}

private struct KeyedNode<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws {}

    mutating func encode(_ value: some Encodable, forKey key: Key) throws {
        try node.child(key).store(value, codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: node.child(key), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        NodeEncoder(node: node.child(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        NodeEncoder(node: node, codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        NodeEncoder(node: node.child(key), codingPath: codingPath + [key])
    }
}

private struct ListNode: UnkeyedEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]
    var count: Int { node.list?.count ?? 0 }

    mutating func encodeNil() throws {}

    mutating func encode(_ value: some Encodable) throws {
        try node.appended().store(value, codingPath: codingPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: node.appended(), codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        NodeEncoder(node: node.appended(), codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        NodeEncoder(node: node.appended(), codingPath: codingPath)
    }
}

private struct ScalarNode: SingleValueEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws {}

    mutating func encode(_ value: some Encodable) throws {
        try node.store(value, codingPath: codingPath)
    }
}
