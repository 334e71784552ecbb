import Foundation

/// `Codable` types through `JSONValue`, so the project has one JSON path: `JSONParser` reads every
/// text (drops, config, the media child's answers, stored stage results), `JSONValue` writes every
/// text, and Swift's synthesized `Codable` conformances map types onto `JSONValue` here. Optional
/// members that are nil are left out, as Foundation's coders do; object members keep the order in
/// which a type encodes them.
package enum JSONCoding {
    /// Why a value could not be encoded or decoded, with the coding path.
    struct Failure: Error, CustomStringConvertible {
        let path: String
        let message: String
        var description: String { path.isEmpty ? message : "\(path): \(message)" }

        init(_ codingPath: [CodingKey], _ message: String) {
            path = codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            self.message = message
        }
    }

    /// The JSON value of `value`.
    static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let node = EncodingNode()
        try value.encode(to: ValueEncoder(node: node, codingPath: []))
        return node.value
    }

    /// Compact JSON text of `value`.
    package static func text<T: Encodable>(_ value: T) throws -> String { try encode(value).compact }

    /// `type` read from `value`.
    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try T(from: ValueDecoder(value: value, codingPath: []))
    }

    /// `type` read from JSON text (parsed by `JSONParser`).
    package static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decode(type, from: try JSONParser.parse(data))
    }
}

// MARK: - Encoding

/// A value under construction: containers are handed out before they are filled.
private final class EncodingNode {
    enum Content { case unset, value(JSONValue), object([(String, EncodingNode)]), array([EncodingNode]) }
    var content = Content.unset

    var value: JSONValue {
        switch content {
        case .unset: return .object([])
        case .value(let v): return v
        case .object(let members): return .object(members.map { ($0.0, $0.1.value) })
        case .array(let items): return .array(items.map(\.value))
        }
    }

    func member(_ key: String) -> EncodingNode {
        let child = EncodingNode()
        var members: [(String, EncodingNode)] = []
        if case .object(let existing) = content { members = existing.filter { $0.0 != key } }
        members.append((key, child))
        content = .object(members)
        return child
    }

    func appended() -> EncodingNode {
        let child = EncodingNode()
        var items: [EncodingNode] = []
        if case .array(let existing) = content { items = existing }
        items.append(child)
        content = .array(items)
        return child
    }

    /// Stores `value`: a primitive directly, anything else through its own `encode(to:)`.
    func store<T: Encodable>(_ value: T, codingPath: [CodingKey]) throws {
        if let primitive = try Self.primitive(value, codingPath) { content = .value(primitive); return }
        try value.encode(to: ValueEncoder(node: self, codingPath: codingPath))
    }

    private static func primitive<T: Encodable>(_ value: T, _ path: [CodingKey]) throws -> JSONValue? {
        switch value {
        case let v as Bool: return .bool(v)
        case let v as String: return .string(v)
        case let v as Double:
            guard v.isFinite else { throw JSONCoding.Failure(path, "\(v) is not a JSON number") }
            return .number(v)
        case let v as Float:
            guard v.isFinite else { throw JSONCoding.Failure(path, "\(v) is not a JSON number") }
            return .number(Double(v))
        case let v as Int: return .integer(Int64(v))
        case let v as Int8: return .integer(Int64(v))
        case let v as Int16: return .integer(Int64(v))
        case let v as Int32: return .integer(Int64(v))
        case let v as Int64: return .integer(v)
        case let v as UInt8: return .integer(Int64(v))
        case let v as UInt16: return .integer(Int64(v))
        case let v as UInt32: return .integer(Int64(v))
        case let v as UInt:
            guard let i = Int64(exactly: v) else { throw JSONCoding.Failure(path, "\(v) is too large") }
            return .integer(i)
        case let v as UInt64:
            guard let i = Int64(exactly: v) else { throw JSONCoding.Failure(path, "\(v) is too large") }
            return .integer(i)
        default: return nil
        }
    }
}

private struct ValueEncoder: Encoder {
    let node: EncodingNode
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([]) }
        return KeyedEncodingContainer(KeyedEncoder<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return UnkeyedEncoder(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> SingleValueEncodingContainer { SingleEncoder(node: node, codingPath: codingPath) }
}

private struct KeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    let codingPath: [CodingKey]

    mutating func encodeNil(forKey key: Key) throws { node.member(key.stringValue).content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try node.member(key.stringValue).store(value, codingPath: codingPath + [key])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        ValueEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        ValueEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }
    mutating func superEncoder() -> Encoder { ValueEncoder(node: node.member("super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> Encoder { ValueEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key]) }
}

private struct UnkeyedEncoder: UnkeyedEncodingContainer {
    let node: EncodingNode
    let codingPath: [CodingKey]
    var count: Int { if case .array(let items) = node.content { return items.count } else { return 0 } }

    mutating func encodeNil() throws { node.appended().content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try node.appended().store(value, codingPath: codingPath + [IndexKey(count)])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        ValueEncoder(node: node.appended(), codingPath: codingPath + [IndexKey(count)]).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        ValueEncoder(node: node.appended(), codingPath: codingPath + [IndexKey(count)]).unkeyedContainer()
    }
    mutating func superEncoder() -> Encoder { ValueEncoder(node: node.appended(), codingPath: codingPath) }
}

private struct SingleEncoder: SingleValueEncodingContainer {
    let node: EncodingNode
    let codingPath: [CodingKey]

    mutating func encodeNil() throws { node.content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.store(value, codingPath: codingPath) }
}

private struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
}

// MARK: - Decoding

private struct ValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw JSONCoding.Failure(codingPath, "expected an object") }
        var byKey: [String: JSONValue] = [:]
        for (key, member) in members { byKey[key] = member }
        return KeyedDecodingContainer(KeyedDecoder<Key>(members: byKey, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw JSONCoding.Failure(codingPath, "expected an array") }
        return UnkeyedDecoder(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { SingleDecoder(value: value, codingPath: codingPath) }

    /// `type` from `value`: a primitive directly, anything else through its own `init(from:)`.
    static func read<T: Decodable>(_ type: T.Type, _ value: JSONValue, _ path: [CodingKey]) throws -> T {
        if let primitive = try primitive(type, value, path) { return primitive }
        return try T(from: ValueDecoder(value: value, codingPath: path))
    }

    private static func primitive<T>(_ type: T.Type, _ value: JSONValue, _ path: [CodingKey]) throws -> T? {
        func fail(_ what: String) -> JSONCoding.Failure { JSONCoding.Failure(path, "expected \(what)") }
        func integer<I: FixedWidthInteger>(_: I.Type) throws -> I {
            switch value {
            case .integer(let i): if let v = I(exactly: i) { return v }
            case .number(let d): if let v = I(exactly: d) { return v }
            default: break
            }
            throw fail("a whole number that fits \(I.self)")
        }
        func double() throws -> Double {
            switch value {
            case .integer(let i): return Double(i)
            case .number(let d): return d
            default: throw fail("a number")
            }
        }
        switch type {
        case is Bool.Type:
            guard case .bool(let b) = value else { throw fail("true or false") }
            return b as? T
        case is String.Type:
            guard case .string(let s) = value else { throw fail("a string") }
            return s as? T
        case is Double.Type: return try double() as? T
        case is Float.Type: return Float(try double()) as? T
        case is Int.Type: return try integer(Int.self) as? T
        case is Int8.Type: return try integer(Int8.self) as? T
        case is Int16.Type: return try integer(Int16.self) as? T
        case is Int32.Type: return try integer(Int32.self) as? T
        case is Int64.Type: return try integer(Int64.self) as? T
        case is UInt.Type: return try integer(UInt.self) as? T
        case is UInt8.Type: return try integer(UInt8.self) as? T
        case is UInt16.Type: return try integer(UInt16.self) as? T
        case is UInt32.Type: return try integer(UInt32.self) as? T
        case is UInt64.Type: return try integer(UInt64.self) as? T
        default: return nil
        }
    }
}

private struct KeyedDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let codingPath: [CodingKey]
    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func member(_ key: Key) throws -> JSONValue {
        guard let value = members[key.stringValue] else { throw JSONCoding.Failure(codingPath + [key], "missing") }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { (members[key.stringValue] ?? .null) == .null }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try ValueDecoder.read(type, try member(key), codingPath + [key])
    }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try ValueDecoder(value: try member(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        try ValueDecoder(value: try member(key), codingPath: codingPath + [key]).unkeyedContainer()
    }
    func superDecoder() throws -> Decoder { ValueDecoder(value: members["super"] ?? .null, codingPath: codingPath) }
    func superDecoder(forKey key: Key) throws -> Decoder { ValueDecoder(value: members[key.stringValue] ?? .null, codingPath: codingPath + [key]) }
}

private struct UnkeyedDecoder: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let codingPath: [CodingKey]
    var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(items: [JSONValue], codingPath: [CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    private mutating func next() throws -> (JSONValue, [CodingKey]) {
        let path = codingPath + [IndexKey(currentIndex)]
        guard !isAtEnd else { throw JSONCoding.Failure(path, "the array has no more items") }
        defer { currentIndex += 1 }
        return (items[currentIndex], path)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try next()
        return try ValueDecoder.read(type, value, path)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (value, path) = try next()
        return try ValueDecoder(value: value, codingPath: path).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
        let (value, path) = try next()
        return try ValueDecoder(value: value, codingPath: path).unkeyedContainer()
    }
    mutating func superDecoder() throws -> Decoder {
        let (value, path) = try next()
        return ValueDecoder(value: value, codingPath: path)
    }
}

private struct SingleDecoder: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [CodingKey]

    func decodeNil() -> Bool { value == .null }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try ValueDecoder.read(type, value, codingPath) }
}
