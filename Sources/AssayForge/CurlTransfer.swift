internal import CCurl
import Foundation

/// libcurl's process-wide setup, done once: a global is initialised lazily and thread-safely on
/// first use. Holds the `CURLcode` of `curl_global_init`.
private let curlGlobalInitCode: Int = Int(assay_curl_global_init_all().rawValue)

/// How one transfer ended when no HTTP response came back.
struct CurlFailure: Error {
    /// libcurl's `CURLcode`.
    var code: Int
    /// libcurl's message from the error buffer, or its generic text for the code.
    var message: String

    /// The error kind this failure is reported as.
    var kind: HTTPError.Kind {
        switch code {
        case Int(CURLE_OPERATION_TIMEDOUT.rawValue): .timeout
        case Int(CURLE_COULDNT_CONNECT.rawValue), Int(CURLE_COULDNT_RESOLVE_HOST.rawValue),
             Int(CURLE_COULDNT_RESOLVE_PROXY.rawValue): .connect
        default: .transport(code)
        }
    }

    /// True for failures that another attempt may not repeat: no connection, a timeout, a
    /// connection dropped or reset mid-transfer.
    var isTransient: Bool {
        let transient: [CURLcode] = [
            CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT,
            CURLE_PARTIAL_FILE, CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR,
            CURLE_HTTP2, CURLE_HTTP2_STREAM,
        ]
        return transient.contains { Int($0.rawValue) == code }
    }
}

/// The settings of a transfer that come from the client rather than the request.
struct CurlSettings {
    var timeout: Double
    var connectTimeout: Double
    var userAgent: String
}

/// Collects what libcurl hands to the header and body callbacks during one transfer.
private final class ResponseSink {
    var body = Data()
    var headers: [String: String] = [:]

    /// Takes one header line. A status line starts a new header block, so that the headers of an
    /// interim response (`100 Continue`) do not mix with the final one's.
    func take(headerLine: String) {
        let line = headerLine.trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            headers = [:]
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return }
        if let earlier = headers[name] {
            headers[name] = earlier + ", " + value
        } else {
            headers[name] = value
        }
    }
}

/// libcurl's body callback: appends the bytes to the transfer's sink.
private func curlWriteBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
                           _ context: UnsafeMutableRawPointer?) -> Int {
    let length = size * count
    guard let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    if let data, length > 0 {
        sink.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length)
    }
    return length
}

/// libcurl's header callback: one complete header line per call, decoded leniently.
private func curlWriteHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
                             _ context: UnsafeMutableRawPointer?) -> Int {
    let length = size * count
    guard let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    if let data, length > 0 {
        let bytes = UnsafeRawBufferPointer(start: data, count: length)
        sink.take(headerLine: String(decoding: bytes, as: UTF8.self))
    }
    return length
}

/// One request through one libcurl easy handle. The handle, its header list and its error buffer
/// belong to this value and are freed with it.
struct CurlTransfer: ~Copyable {
    private let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let errorBufferSize: Int

    /// A fresh easy handle, or a failure when libcurl cannot set up.
    init() throws(CurlFailure) {
        if let why = assay_curl_load_error() {
            throw CurlFailure(code: Int(CURLE_FAILED_INIT.rawValue), message: String(cString: why))
        }
        guard curlGlobalInitCode == Int(CURLE_OK.rawValue) else {
            throw CurlFailure(code: curlGlobalInitCode, message: "libcurl could not initialise (curl_global_init)")
        }
        guard let handle = assay_curl_easy_init() else {
            throw CurlFailure(code: Int(CURLE_FAILED_INIT.rawValue), message: "libcurl could not create a handle (curl_easy_init)")
        }
        self.handle = handle
        self.headerList = nil
        self.errorBufferSize = Int(assay_curl_error_size())
        self.errorBuffer = .allocate(capacity: errorBufferSize)
        self.errorBuffer.initialize(repeating: 0, count: errorBufferSize)
    }

    deinit {
        assay_curl_easy_cleanup(handle)
        assay_curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    /// Sends `request` and waits for the whole response.
    mutating func perform(_ request: HTTPRequest, settings: CurlSettings) -> Result<HTTPResponse, CurlFailure> {
        let sink = ResponseSink()
        // The callbacks reach the sink through an unretained pointer: keep it alive until the end.
        defer { withExtendedLifetime(sink) {} }
        let context = Unmanaged.passUnretained(sink).toOpaque()
        do throws(CurlFailure) {
            try configure(request, settings: settings, context: context)
            try check(assay_curl_easy_perform(handle), "curl_easy_perform")
            var status = 0
            try check(assay_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status), "curl_easy_getinfo")
            return .success(HTTPResponse(status: status, headers: sink.headers, body: sink.body))
        } catch {
            return .failure(error)
        }
    }

    /// Sets every option of the transfer.
    private mutating func configure(_ request: HTTPRequest, settings: CurlSettings,
                                    context: UnsafeMutableRawPointer) throws(CurlFailure) {
        try check(assay_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), "CURLOPT_ERRORBUFFER")
        try check(assay_curl_setopt_string(handle, CURLOPT_URL, request.url), "CURLOPT_URL")
        try check(assay_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"), "CURLOPT_PROTOCOLS_STR")
        try check(assay_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1), "CURLOPT_NOSIGNAL")
        try check(assay_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, milliseconds(settings.timeout)), "CURLOPT_TIMEOUT_MS")
        try check(assay_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(settings.connectTimeout)),
                  "CURLOPT_CONNECTTIMEOUT_MS")
        try check(assay_curl_setopt_string(handle, CURLOPT_USERAGENT, settings.userAgent), "CURLOPT_USERAGENT")
        try check(assay_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0), "CURLOPT_FOLLOWLOCATION")
        try check(assay_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, ""), "CURLOPT_ACCEPT_ENCODING")
        if HTTPRequest.isLoopback(request.url) {
            // A proxy from the environment must never see a request to this machine.
            try check(assay_curl_setopt_string(handle, CURLOPT_PROXY, ""), "CURLOPT_PROXY")
        }

        try check(assay_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteBody), "CURLOPT_WRITEFUNCTION")
        try check(assay_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context), "CURLOPT_WRITEDATA")
        try check(assay_curl_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader), "CURLOPT_HEADERFUNCTION")
        try check(assay_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context), "CURLOPT_HEADERDATA")

        // An empty `Expect:` stops libcurl from waiting for `100 Continue` before sending a body.
        for line in request.headers.map({ "\(clean($0.name)): \(clean($0.value))" }) + ["Expect:"] {
            guard let list = assay_curl_slist_append(headerList, line) else {
                throw CurlFailure(code: Int(CURLE_OUT_OF_MEMORY.rawValue), message: "could not build the request headers")
            }
            headerList = list
        }
        try check(assay_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList)), "CURLOPT_HTTPHEADER")

        let method = request.method.rawValue
        if let body = request.body {
            // COPYPOSTFIELDS is POSTFIELDS with a copy taken, so the bytes need not outlive this call;
            // the size must be set first, which also lets the body hold NUL bytes.
            try check(assay_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)),
                      "CURLOPT_POSTFIELDSIZE_LARGE")
            let code = body.withUnsafeBytes { bytes -> CURLcode in
                guard let base = bytes.baseAddress else {
                    return assay_curl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, "")
                }
                return assay_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: base))
            }
            try check(code, "CURLOPT_COPYPOSTFIELDS")
            if method != "POST" {
                try check(assay_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method), "CURLOPT_CUSTOMREQUEST")
            }
        } else {
            switch method {
            case "GET": try check(assay_curl_setopt_long(handle, CURLOPT_HTTPGET, 1), "CURLOPT_HTTPGET")
            case "HEAD": try check(assay_curl_setopt_long(handle, CURLOPT_NOBODY, 1), "CURLOPT_NOBODY")
            case "POST":
                try check(assay_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, 0), "CURLOPT_POSTFIELDSIZE")
                try check(assay_curl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, ""), "CURLOPT_COPYPOSTFIELDS")
            default: try check(assay_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method), "CURLOPT_CUSTOMREQUEST")
            }
        }
    }

    /// Throws a `CurlFailure` for any code but `CURLE_OK`, with libcurl's message (the error buffer
    /// when it was filled, else the code's generic text) and the failing call's name.
    private func check(_ code: CURLcode, _ call: String) throws(CurlFailure) {
        guard code != CURLE_OK else { return }
        var message = String(cString: errorBuffer)
        if message.isEmpty { message = String(cString: assay_curl_easy_strerror(code)) }
        message = message.trimmingCharacters(in: .whitespacesAndNewlines)
        if call != "curl_easy_perform" { message += " (\(call))" }
        throw CurlFailure(code: Int(code.rawValue), message: message)
    }

    /// Seconds as libcurl's milliseconds; at least 1, since 0 would mean "no timeout".
    private func milliseconds(_ seconds: Double) -> Int {
        guard seconds.isFinite else { return 0 }
        return max(1, Int((seconds * 1000).rounded()))
    }

    /// A header name or value without line breaks, which would otherwise inject headers.
    private func clean(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }.map(Character.init))
    }
}
