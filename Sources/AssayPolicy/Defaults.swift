import AssayCore

// The built-in policy and rubric, byte for byte the files `policies/default.yml` and
// `rubrics/default.yml` (a test compares them). Edit the file, then paste it here.

extension Policy {
    /// The built-in default policy as YAML: what a policy without `extends` starts from, and a
    /// commented template for writing one.
    public static let defaultYAML = #"""
# assay's default policy — built into assay; this file is a byte-for-byte copy of it.
#
# A policy says how much each rule's findings matter:
#   block  fails the gate (exit 1)
#   warn   is reported, and fails the gate only past `thresholds.max_warnings`
#   info   is reported only
#   off    turns the rule off
#
# To write your own, copy this file into your repository (say `.assay/policy.yml`), point
# `.assay.yml` at it with `policy: .assay/policy.yml`, and edit it. Or keep your file short:
# leave out `extends` (or write `extends: default`) and list only what you change.
version: 1
name: default

# Which policy this one starts from: `default` (this one), `none` (every rule off), or the path of
# another policy file. Without `extends`, a policy extends this default. This one stands alone.
extends: none

rules:
  # Short form, `rule-id: severity`, sets the severity only: a parent's include/exclude stay.
  stub-marker: block             # todo!(), fatalError("TODO"), raise NotImplementedError … in added code
  conflict-marker: block         # <<<<<<< / ======= / >>>>>>> left in a file
  claim-contradicted: block      # a doc or commit message claims what the repository contradicts
  todo-added: warn               # a new TODO / FIXME / XXX comment
  test-without-assertion: warn   # an added test that asserts nothing
  test-skipped: warn             # an added test that is skipped or disabled
  large-binary: warn             # a binary file larger than `thresholds.large_binary_bytes`,
                                 # or a text file larger than `thresholds.large_text_bytes`

  # Long form: replaces only the fields it gives.
  # todo-added:
  #   severity: block
  #   include: ["Sources/**"]            # the rule applies only here (default: everywhere)
  #   exclude: ["Sources/Generated/**"]  # and never here

# The paths the whole audit looks at. In globs `*` matches within one path component, `**` across
# components, `?` one character, and a trailing `/` everything under a directory. Character classes
# (`[ab]`) and braces (`{a,b}`) are not supported: list each alternative.
paths:
  include: ["**"]
  exclude: []                    # e.g. ["vendor/", "third_party/**"]

thresholds:
  large_binary_bytes: 1048576    # 1 MiB
  large_text_bytes: 10485760     # 10 MiB: a larger text file is a `large-binary` finding and its
                                 # lines are not checked (the audit's memory stays bounded)
  max_warnings: null             # more `warn` findings than this fail the gate; null: no limit

# Overrides for the branch being audited, by glob on the branch name (`*` stays within one
# `/`-separated part, `**` crosses them). Each entry may hold `rules`, `paths` and `thresholds`,
# merged like a child policy. Every matching entry applies, in order: later entries win.
branches: {}
# branches:
#   main:
#     rules: { todo-added: block }
#   "release/**":
#     thresholds: { max_warnings: 0 }

"""#
}

extension Rubric {
    /// The built-in audit rubric as YAML: the criteria and decision thresholds `assay audit` scores with.
    public static let defaultYAML = #"""
# assay's default audit rubric — built into assay; this file is a byte-for-byte copy of it.
#
# A rubric turns an audit's findings (unsuppressed, with severities after policy) and its claim
# verdicts into two scores from 0 to 100 and a decision:
#   risk     how likely the change is to be wrong or to say something untrue
#   utility  how much it delivers that can be trusted
#   APPROVE | HOLD | REJECT, with one reason per criterion that counted.
#
# Each criterion counts one kind of item — `count:` takes exactly one of
#   severity: block | warn | info                                 findings of that severity
#   rule: RULE-ID                                                 findings of that rule
#   claim: verified | contradicted | stale | unverifiable | abstain   claims with that verdict
# — and adds `weight` points per item (a negative weight subtracts), at most `max` points in all
# (the cap applies to the absolute value). A score is its `base` plus the criteria, clamped to 0–100.
version: 1
name: audit-default

risk:
  base: 0
  criteria:
    - id: blocking-findings
      description: findings the policy blocks
      count: { severity: block }
      weight: 40
      max: 100
    - id: contradicted-claims
      description: claims the repository contradicts
      count: { claim: contradicted }
      weight: 35
    - id: stale-claims
      description: claims that were true when written and are false now
      count: { claim: stale }
      weight: 10
      max: 30
    - id: warnings
      description: findings the policy warns about
      count: { severity: warn }
      weight: 5
      max: 30
    - id: unverifiable-claims
      description: claims assay could not check
      count: { claim: unverifiable }
      weight: 3
      max: 15

utility:
  base: 60
  criteria:
    - id: verified-claims
      description: claims checked and found true
      count: { claim: verified }
      weight: 10
      max: 40
    - id: tests-without-assertions
      description: added tests that assert nothing
      count: { rule: test-without-assertion }
      weight: -10
      max: 30
    - id: skipped-tests
      description: added tests that are skipped
      count: { rule: test-skipped }
      weight: -10
      max: 30
    - id: todos-added
      description: work left for later
      count: { rule: todo-added }
      weight: -5
      max: 20

# REJECT when any `reject` condition holds, else HOLD when any `hold` condition holds, else APPROVE.
# Conditions: `risk_at_least: N`, `utility_below: N`.
decision:
  reject: { risk_at_least: 70 }
  hold: { risk_at_least: 30, utility_below: 40 }

"""#
}
