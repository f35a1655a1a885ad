import AssayCore
import Foundation

/// The state of a commit status: `error` means the tool broke, `failure` that the gate failed.
public enum CommitState: String, Sendable, CaseIterable {
    case error, failure, pending, success
}

/// How a completed check run ended.
public enum CheckConclusion: String, Sendable, CaseIterable {
    case actionRequired = "action_required"
    case cancelled, failure, neutral, success, skipped
    case timedOut = "timed_out"
}

/// A comment on a line range of a file, shown on a check run and in the pull request's diff.
public struct CheckAnnotation: Sendable, Equatable {
    /// How loud an annotation is.
    public enum Level: String, Sendable, CaseIterable {
        case notice, warning, failure
    }

    /// The file, relative to the repository root.
    public var path: String
    /// The first line annotated, 1-based.
    public var startLine: Int
    /// The last line annotated, 1-based; at least `startLine`.
    public var endLine: Int
    public var level: Level
    /// What is wrong, shown under the line.
    public var message: String
    /// A short heading for the message.
    public var title: String?

    /// An annotation on `startLine` through `endLine` (by default the one line).
    public init(path: String, startLine: Int, endLine: Int? = nil, level: Level, message: String, title: String? = nil) {
        self.path = path
        self.startLine = startLine
        self.endLine = max(startLine, endLine ?? startLine)
        self.level = level
        self.message = message
        self.title = title
    }

    /// The annotation as GitHub's API spells it.
    var json: [String: Any] {
        var object: [String: Any] = [
            "path": path, "start_line": startLine, "end_line": endLine,
            "annotation_level": level.rawValue, "message": message,
        ]
        if let title { object["title"] = title }
        return object
    }
}

/// A check run that was created: its id, and how many requests it took (one, plus one per further
/// 50 annotations).
public struct CheckRunResult: Sendable, Equatable {
    /// The check run's id.
    public var id: Int
    /// How many requests creating it took.
    public var requests: Int

    public init(id: Int, requests: Int) {
        self.id = id
        self.requests = requests
    }
}

/// What `upsertComment` did: posted a new comment or edited the one carrying the marker.
public enum CommentUpsert: Sendable, Equatable {
    /// No comment had the marker: this one was posted.
    case created(Int)
    /// This comment had the marker and was edited.
    case updated(Int)

    /// The comment's id.
    public var id: Int {
        switch self {
        case .created(let id), .updated(let id): id
        }
    }
}

/// GitHub's REST API for one repository: commit statuses, check runs, and a sticky pull-request
/// comment. Sends `Authorization: Bearer <token>`, `Accept: application/vnd.github+json` and
/// `X-GitHub-Api-Version: 2022-11-28`; the token is redacted from everything it reports.
///
/// Limits of the API are enforced here as a safety net: a status description is cut to 140
/// characters, a check-run summary to 65,535, and annotations go 50 per request.
public final class GitHubClient: Sendable {
    /// `https://api.github.com`.
    public static let defaultAPIURL = "https://api.github.com"
    /// The REST API version this client speaks.
    public static let apiVersion = "2022-11-28"
    /// The most characters GitHub accepts in a commit status description.
    public static let statusDescriptionLimit = 140
    /// The most characters GitHub accepts in a check run's summary and text.
    public static let checkOutputLimit = 65_535
    /// The most annotations GitHub accepts in one check-run request.
    public static let annotationsPerRequest = 50
    /// The most pages of comments read when looking for the sticky comment.
    public static let maxCommentPages = 50

    /// The API root, without a trailing slash.
    public let apiURL: String
    /// The repository's owner.
    public let owner: String
    /// The repository's name.
    public let name: String
    private let token: String
    private let http: HTTPClient

    /// A client for `repository` (`owner/name`).
    /// - Parameters:
    ///   - apiURL: the API root: `GITHUB_API_URL` on GitHub Enterprise, a test server in tests.
    ///   - http: the HTTP client; by default one with standard retries that redacts `token`. A
    ///     client passed in redacts the token anyway, as the `Authorization` header's credential.
    /// - Throws: `ForgeError` when `repository` is not `owner/name`.
    public init(repository: String, token: String, apiURL: String = GitHubClient.defaultAPIURL,
                http: HTTPClient? = nil) throws(ForgeError) {
        let parts = repository.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && !$0.contains(where: \.isWhitespace) }) else {
            throw ForgeError(action: "use the repository \"\(repository)\"", reason: "expected owner/name")
        }
        var apiURL = apiURL
        while apiURL.hasSuffix("/") { apiURL.removeLast() }
        self.apiURL = apiURL
        self.owner = String(parts[0])
        self.name = String(parts[1])
        self.token = token
        self.http = http ?? HTTPClient(secrets: [token])
    }

    /// The API root for an environment: `GITHUB_API_URL` when set, else `https://api.github.com`.
    public static func apiURL(environment: [String: String]) -> String {
        guard let url = environment["GITHUB_API_URL"], !url.isEmpty else { return defaultAPIURL }
        return url
    }

    // MARK: Commit statuses

    /// Sets the status `context` of commit `sha` to `state`. The description is cut to 140
    /// characters (ending in `…`), since GitHub rejects a longer one.
    public func createStatus(sha: String, state: CommitState, context: String, description: String? = nil,
                             targetURL: String? = nil) throws(ForgeError) {
        var payload: [String: Any] = ["state": state.rawValue, "context": context]
        if let description {
            payload["description"] = Self.cut(description, limit: Self.statusDescriptionLimit, ending: "…")
        }
        if let targetURL { payload["target_url"] = targetURL }
        _ = try call(.post, path: "statuses/\(Self.segment(sha))", payload: payload, action: "post the commit status")
    }

    // MARK: Check runs

    /// Creates a completed check run on `headSHA` with its output. The first 50 annotations go with
    /// the creation; each further 50 go in an update that repeats the title and summary, as GitHub
    /// requires. The summary and text are cut to 65,535 characters with a note saying so.
    public func createCheckRun(name: String, headSHA: String, conclusion: CheckConclusion, title: String,
                               summary: String, text: String? = nil,
                               annotations: [CheckAnnotation] = []) throws(ForgeError) -> CheckRunResult {
        let note = "\n\n… (cut to GitHub's limit of 65,535 characters)"
        var output: [String: Any] = [
            "title": title,
            "summary": Self.cut(summary, limit: Self.checkOutputLimit, ending: note),
        ]
        if let text { output["text"] = Self.cut(text, limit: Self.checkOutputLimit, ending: note) }
        let batches = stride(from: 0, to: annotations.count, by: Self.annotationsPerRequest).map {
            Array(annotations[$0..<min($0 + Self.annotationsPerRequest, annotations.count)])
        }

        var first = output
        if let batch = batches.first { first["annotations"] = batch.map(\.json) }
        let created = try call(.post, path: "check-runs", payload: [
            "name": name, "head_sha": headSHA, "status": "completed",
            "conclusion": conclusion.rawValue, "output": first,
        ], action: "create the check run \"\(name)\"")
        let id = try decode(Identified.self, from: created, action: "create the check run \"\(name)\"").id

        var requests = 1
        for (index, batch) in batches.enumerated().dropFirst() {
            var more = output
            more["annotations"] = batch.map(\.json)
            let start = index * Self.annotationsPerRequest
            _ = try call(.patch, path: "check-runs/\(id)", payload: ["output": more],
                         action: "add annotations \(start + 1)–\(start + batch.count) to check run \(id)")
            requests += 1
        }
        return CheckRunResult(id: id, requests: requests)
    }

    // MARK: Sticky comment

    /// Who a token acts as, as far as telling its own comments from others' needs.
    public enum TokenIdentity: Sendable, Equatable {
        /// `GET /user` answered: a personal or OAuth token acting as this account.
        case user(id: Int, login: String)
        /// `GET /user` refused the token (403 or 404): a GitHub App installation token, such as
        /// Actions' `GITHUB_TOKEN`, whose comments are written by a bot account.
        case installation
    }

    /// The login an installation token's comments are written by when nothing else is known:
    /// GitHub Actions' `GITHUB_TOKEN`.
    public static let actionsBotLogin = "github-actions[bot]"

    /// Who the token acts as (`GET /user`; 403 or 404 means an installation token).
    public func identity() throws(ForgeError) -> TokenIdentity {
        let action = "find out who the token acts as"
        let response: HTTPResponse
        do {
            response = try http.send(HTTPRequest(.get, "\(apiURL)/user", headers: headers(json: false)))
        } catch {
            if let status = error.status, status == 403 || status == 404, !error.isRateLimited { return .installation }
            throw ForgeError(action: action, http: error)
        }
        let user = try decode(Author.self, from: response, action: action)
        guard let id = user.id, let login = user.login else {
            throw ForgeError(action: action, reason: "GET /user answered without an id and a login")
        }
        return .user(id: id, login: login)
    }

    /// Keeps one comment per `marker` on issue or pull request `issueNumber`: edits the first
    /// comment that carries `marker` and was written by the token's own identity, or posts a new
    /// one. A comment anyone else wrote is never edited, marker or not: whoever planted the marker
    /// would own the report (and could edit it afterwards). The marker (an HTML comment such as
    /// `<!-- assay:report -->` is invisible) is appended to `body` when `body` lacks it, so the
    /// comment is found next time. Reads every page of comments, following `Link: rel="next"`.
    ///
    /// Ownership: with a user's token, the comment's author id is `GET /user`'s. With an
    /// installation token (`GET /user` is refused), the author must be the bot `botLogin`
    /// (type `Bot`, login ending in `[bot]`, and the app the comment was made through, when GitHub
    /// names one, must be that bot's); comments of other apps are left alone.
    public func upsertComment(issueNumber: Int, marker: String, body: String,
                              botLogin: String = GitHubClient.actionsBotLogin) throws(ForgeError) -> CommentUpsert {
        let body = body.contains(marker) ? body : body + "\n\n" + marker
        let list = "list the comments of #\(issueNumber)"
        var next: String? = url("issues/\(issueNumber)/comments?per_page=100")
        var pages = 0
        var me: TokenIdentity?
        while let page = next, pages < Self.maxCommentPages {
            let response = try send(HTTPRequest(.get, page, headers: headers(json: false)), action: list)
            pages += 1
            for comment in try decode([Comment].self, from: response, action: list) where comment.body?.contains(marker) == true {
                // Who we are is asked once, and only when a comment carries the marker.
                if me == nil { me = try identity() }
                guard let me, Self.owns(comment, me, botLogin: botLogin) else { continue }
                _ = try call(.patch, path: "issues/comments/\(comment.id)", payload: ["body": body],
                             action: "update comment \(comment.id) on #\(issueNumber)")
                return .updated(comment.id)
            }
            next = try nextPage(response, action: list)
        }
        let action = "post a comment on #\(issueNumber)"
        let created = try call(.post, path: "issues/\(issueNumber)/comments", payload: ["body": body], action: action)
        return .created(try decode(Identified.self, from: created, action: action).id)
    }

    /// Whether `comment` was written by `identity`.
    private static func owns(_ comment: Comment, _ identity: TokenIdentity, botLogin: String) -> Bool {
        guard let author = comment.user else { return false }
        switch identity {
        case .user(let id, let login):
            if let authorID = author.id { return authorID == id }
            return author.login == login
        case .installation:
            guard author.type == "Bot", let login = author.login, login.hasSuffix("[bot]"), login == botLogin else { return false }
            if let slug = comment.performedViaGitHubApp?.slug { return slug + "[bot]" == login }
            return true
        }
    }

    // MARK: Plumbing

    /// A JSON object with an `id`.
    private struct Identified: Decodable { var id: Int }
    /// An account: a comment's author, or `GET /user`.
    private struct Author: Decodable { var id: Int?; var login: String?; var type: String? }
    /// The app a comment was made through.
    private struct App: Decodable { var slug: String? }
    /// An issue comment, as far as the sticky comment needs it.
    private struct Comment: Decodable {
        var id: Int
        var body: String?
        var user: Author?
        var performedViaGitHubApp: App?

        enum CodingKeys: String, CodingKey {
            case id, body, user
            case performedViaGitHubApp = "performed_via_github_app"
        }
    }

    /// `{api}/repos/{owner}/{name}/{rest}`.
    private func url(_ rest: String) -> String {
        "\(apiURL)/repos/\(Self.segment(owner))/\(Self.segment(name))/\(rest)"
    }

    /// The headers of every request; `json` adds `Content-Type`.
    private func headers(json: Bool) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [
            ("Accept", "application/vnd.github+json"),
            ("X-GitHub-Api-Version", Self.apiVersion),
        ]
        if !token.isEmpty { headers.insert(("Authorization", "Bearer \(token)"), at: 0) }
        if json { headers.append(("Content-Type", "application/json")) }
        return headers
    }

    /// Sends `payload` as JSON (keys sorted) to `{repo}/{path}`.
    private func call(_ method: HTTPMethod, path: String, payload: [String: Any], action: String) throws(ForgeError) -> HTTPResponse {
        let body: Data
        do {
            body = try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys, .withoutEscapingSlashes])
        } catch {
            throw ForgeError(action: action, reason: "the request could not be encoded as JSON")
        }
        return try send(HTTPRequest(method, url(path), headers: headers(json: true), body: body), action: action)
    }

    /// Sends a request; an HTTP failure becomes a `ForgeError` naming `action`.
    private func send(_ request: HTTPRequest, action: String) throws(ForgeError) -> HTTPResponse {
        do {
            return try http.send(request)
        } catch {
            throw ForgeError(action: action, http: error)
        }
    }

    /// Decodes a JSON response body.
    private func decode<T: Decodable>(_ type: T.Type, from response: HTTPResponse, action: String) throws(ForgeError) -> T {
        do {
            return try JSONDecoder().decode(type, from: response.body)
        } catch {
            let start = http.redactor.redact(String(response.text.prefix(120)))
            throw ForgeError(action: action, reason: "the response is not the JSON expected: \(start)")
        }
    }

    /// The `rel="next"` URL of a paginated response; nil on the last page. A next page on another
    /// host is refused, since the request would carry the token there.
    private func nextPage(_ response: HTTPResponse, action: String) throws(ForgeError) -> String? {
        guard let link = response.header("link"), let next = Self.links(in: link)["next"] else { return nil }
        let origin = { (url: String) -> String? in
            guard let parts = URLComponents(string: url), let scheme = parts.scheme, let host = parts.host else { return nil }
            return "\(scheme.lowercased())://\(host.lowercased()):\(parts.port.map { String($0) } ?? "")"
        }
        guard let nextOrigin = origin(next), nextOrigin == origin(apiURL) else {
            throw ForgeError(action: action, reason: "the next page is on another host: \(http.redactor.redact(next))")
        }
        return next
    }

    /// The targets of a `Link` header by relation: `<url>; rel="next", <url>; rel="last"`.
    static func links(in header: String) -> [String: String] {
        var links: [String: String] = [:]
        var rest = Substring(header)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let target = String(rest[rest.index(after: open)..<close])
            rest = rest[rest.index(after: close)...]
            let parameters = rest.prefix { $0 != "<" }
            for parameter in parameters.split(separator: ";") {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2, pair[0].lowercased() == "rel" else { continue }
                let relations = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\", "))
                for relation in relations.split(separator: " ") where links[String(relation)] == nil {
                    links[String(relation)] = target
                }
            }
        }
        return links
    }

    /// One URL path segment, percent-encoded.
    static func segment(_ text: String) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// `text` cut so that it has at most `limit` Unicode scalars — hence also at most `limit`
    /// characters — ending with `ending` when cut. Never splits a character.
    static func cut(_ text: String, limit: Int, ending: String) -> String {
        guard text.unicodeScalars.count > limit else { return text }
        let budget = max(0, limit - ending.unicodeScalars.count)
        var kept = ""
        var used = 0
        for character in text {
            let size = character.unicodeScalars.count
            guard used + size <= budget else { break }
            kept.append(character)
            used += size
        }
        while kept.last?.isWhitespace == true { kept.removeLast() }
        return kept + ending
    }
}
