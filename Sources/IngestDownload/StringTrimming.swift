extension StringProtocol {
    /// The text without leading and trailing spaces, tabs, CR and LF.
    func trimmedOfSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0.isNewline }  // "\r\n" is one Character
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
