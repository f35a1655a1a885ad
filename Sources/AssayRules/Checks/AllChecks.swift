/// The static checks `assay audit` runs over what a change adds.
public enum Checks {
    /// Every static check, in the order `assay rules` lists them.
    public static let all: [any Check] = [
        StubMarkerCheck(), TodoCommentCheck(), TestWithoutAssertionCheck(), SkippedTestCheck(), ConflictMarkerCheck(),
        LargeBinaryCheck(),
    ]

    /// The check whose rule id is `id` (`stub-marker`), or nil when no rule has that id.
    public static func check(id: String) -> (any Check)? {
        all.first { type(of: $0).description.id == id }
    }
}
