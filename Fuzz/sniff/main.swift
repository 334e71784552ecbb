// libFuzzer entry point for the magic-byte sniffer (Sources/MediaKit/Sniff/*.swift).
//
// Compiled by `make fuzz` together with the sniffer's sources as one module (no `import MediaKit`).
// Input layout: byte 0 = the allowed formats (one bit per ContainerFormat, in `allCases` order),
// byte 1 = the name's length n (0-255), then n bytes of name (any bytes, decoded as UTF-8 with
// repair), then the header bytes. Every invariant below is a `precondition`: a broken one is a crash.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSniffer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard input.count >= 2 else {
        _ = FormatSniffer.sniff(input)
        return 0
    }
    let mask = input[0]
    let nameLength = min(Int(input[1]), input.count - 2)
    let nameBytes = input[2..<(2 + nameLength)]
    let header = Array(input[(2 + nameLength)...])
    let name = String(decoding: nameBytes, as: UTF8.self)
    let allowed = Set(ContainerFormat.allCases.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element))

    // sniff: deterministic, looks at no more than headerLength bytes, works on any Collection.
    let content = FormatSniffer.sniff(header)
    precondition(FormatSniffer.sniff(header) == content, "sniff is not deterministic")
    precondition(FormatSniffer.sniff(header.prefix(FormatSniffer.headerLength)) == content, "sniff looked past headerLength")
    precondition(FormatSniffer.sniff(header[...]) == content, "sniff differs between Array and ArraySlice")
    if let content {
        precondition(header.count >= 8 || content == .webm, "\(content) recognised from \(header.count) bytes")
    }

    // pathExtension: empty, or 1-5 ASCII letters and digits taken from the name.
    for text in [name, "https://cdn.example.com/" + name, "http://" + name, "/srv/drop/" + name] {
        let ext = FormatSniffer.pathExtension(ofURLOrPath: text)
        precondition(ext.isEmpty || ((1...5).contains(ext.count) && ext.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }),
                     "pathExtension returned \(ext.debugDescription)")
        precondition(ext.isEmpty || text.contains("." + ext), "pathExtension invented \(ext.debugDescription)")
        switch FormatSniffer.format(forExtension: ext) {
        case .none: precondition(ext.isEmpty)
        case .format(let f): precondition(["mp4", "m4v", "mov", "qt", "webm", "avi"].contains(ext.lowercased()), "\(ext) -> \(f)")
        case .other(let other): precondition(other == ext && !ext.isEmpty)
        }
    }

    // check: accepted only for the sniffed, allowed format whose extension (if any) agrees.
    let verdict = FormatSniffer.check(header: header, name: name, allowed: allowed)
    switch verdict {
    case .accepted(let format):
        precondition(format == content, "accepted \(format) but sniffed \(String(describing: content))")
        precondition(allowed.contains(format), "accepted \(format), which is not allowed")
        switch FormatSniffer.format(forExtension: FormatSniffer.pathExtension(ofURLOrPath: name)) {
        case .none: break
        case .format(let claimed): precondition(claimed == format, "accepted \(format) under a .\(claimed) name")
        case .other(let ext): preconditionFailure("accepted under an unknown extension .\(ext)")
        }
    case .rejected(let why):
        switch why {
        case .unrecognizedContent: precondition(content == nil)
        case .formatNotAllowed(let f): precondition(f == content && !allowed.contains(f))
        case .extensionMismatch(let claimed, let actual): precondition(actual == content && claimed != actual && allowed.contains(actual))
        case .unknownExtension(let ext): precondition(!ext.isEmpty && content.map(allowed.contains) == true)
        }
        precondition(!why.description.isEmpty)
    }
    return 0
}
