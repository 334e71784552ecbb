import CCurl

/// Everything known at the end of one attempt.
struct AttemptOutcome {
    var curlCode: CURLcode
    var curlMessage: String = ""
    /// The final response's status, when one arrived.
    var httpStatus: Int?
    var blockedReason: String?
    var sizeExceeded: String?
    var localFault: DownloadError?
    var stalledAfter: Double?
    var cancelled = false
    var abortedForStatus = false
}

/// What to do after an attempt.
enum AttemptVerdict: Equatable {
    /// The body is complete (2xx).
    case success
    /// A transient fault: retry if the policy allows, else throw this error.
    case retry(DownloadError)
    /// A final fault: throw this error.
    case fail(DownloadError)
}

/// THE mapping of every attempt outcome onto `DownloadFailure` and retry.
///
/// Contract table (CONTRACT.md section 4):
/// - url.invalid: preflight (`URLPreflight`), blocked address, unsupported
///   scheme (also after a redirect), malformed URL, unresolvable host.
/// - download.failed: 4xx/other non-2xx (final), 5xx (transient), too many
///   redirects (final), refused/reset/truncated connections (transient).
/// - download.timeout: whole timeout, connect timeout, stall watchdog (final).
/// - size.exceeded: announced or counted body over `maxBytes` (final).
/// - not the seller's: `.localFault` (disk, libcurl init), `.cancelled`.
func verdict(for outcome: AttemptOutcome) -> AttemptVerdict {
    let code = Int(outcome.curlCode.rawValue)
    let status = outcome.httpStatus
    func error(_ failure: DownloadFailure, _ message: String) -> DownloadError {
        DownloadError(failure, message, httpStatus: status, curlCode: code)
    }

    // Our own aborts first: the curl code only says "aborted by callback/write error".
    if outcome.cancelled { return .fail(error(.cancelled, "cancelled")) }
    if var fault = outcome.localFault {
        fault.httpStatus = status
        fault.curlCode = code
        return .fail(fault)
    }
    if let reason = outcome.sizeExceeded { return .fail(error(.sizeExceeded, reason)) }
    if let idle = outcome.stalledAfter {
        return .fail(error(.timeout, "no byte arrived for \(Int(idle.rounded())) s (stall timeout)"))
    }

    switch outcome.curlCode {
    case CURLE_OK:
        return verdict(forStatus: status, error: error)
    case CURLE_WRITE_ERROR where outcome.abortedForStatus:
        return verdict(forStatus: status, error: error)
    case CURLE_COULDNT_CONNECT where outcome.blockedReason != nil:
        return .fail(error(.urlInvalid, outcome.blockedReason!))
    case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
        return .fail(error(.urlInvalid, outcome.curlMessage))
    case CURLE_TOO_MANY_REDIRECTS:
        return .fail(error(.failed, outcome.curlMessage))
    case CURLE_OPERATION_TIMEDOUT:
        return .fail(error(.timeout, outcome.curlMessage))
    case CURLE_FILESIZE_EXCEEDED:
        return .fail(error(.sizeExceeded, outcome.curlMessage))
    case CURLE_COULDNT_CONNECT, CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING,
         CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_SSL_CONNECT_ERROR:
        return .retry(error(.failed, outcome.curlMessage))
    case CURLE_OUT_OF_MEMORY, CURLE_FAILED_INIT, CURLE_WRITE_ERROR, CURLE_ABORTED_BY_CALLBACK:
        return .fail(error(.localFault, outcome.curlMessage))
    default:
        return .fail(error(.failed, outcome.curlMessage))
    }
}

/// The HTTP status part of the mapping: 2xx success, 5xx transient, the rest final.
private func verdict(forStatus status: Int?, error: (DownloadFailure, String) -> DownloadError) -> AttemptVerdict {
    guard let status else { return .fail(error(.failed, "no HTTP status received")) }
    switch status {
    case 200..<300: return .success
    case 500..<600: return .retry(error(.failed, "server answered HTTP \(status)"))
    default: return .fail(error(.failed, "server answered HTTP \(status)"))
    }
}
