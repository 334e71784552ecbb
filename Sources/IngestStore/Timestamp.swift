import Foundation

/// Time conversions used by the store: unix milliseconds for jobs and keys,
/// ISO-8601 UTC text with milliseconds (`2024-05-01T12:00:00.000Z`) for videos.
/// The ISO form has a fixed width, so comparing the strings compares the times.
enum Timestamp {
    /// `date` as whole unix milliseconds (rounded down).
    static func millis(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// A duration in seconds as whole milliseconds (rounded).
    static func millis(seconds: Double) -> Int64 {
        Int64((seconds * 1000).rounded())
    }

    /// `date` as ISO-8601 UTC text with milliseconds.
    static func iso(_ date: Date) -> String {
        iso(millis: millis(date))
    }

    /// Unix milliseconds as ISO-8601 UTC text with milliseconds.
    static func iso(millis: Int64) -> String {
        let (seconds, ms) = floorDivMod(millis, 1000)
        let (days, secondOfDay) = floorDivMod(seconds, 86_400)
        let (year, month, day) = civil(daysSinceEpoch: days)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
            + "T" + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay % 3600 / 60, 2) + ":" + pad(secondOfDay % 60, 2)
            + "." + pad(ms, 3) + "Z"
    }

    private static func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a >= 0 ? a / b : (a - (b - 1)) / b
        return (q, a - q * b)
    }

    /// Year, month, day of a day count since 1970-01-01 (H. Hinnant's civil_from_days).
    private static func civil(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
