import AssayCore
import Testing

/// The one redactor (AssayCore) that HTTP errors, logs and receipts go through.
@Suite("Redactor")
struct RedactorTests {
    @Test("credential shapes are hidden wherever they stand, keeping their prefix")
    func shapes() {
        let r = Redactor()
        #expect(r.redact("token ghp_0123456789abcdefABCDEF0123456789abcd used") == "token ghp_*** used")
        #expect(r.redact("x=github_pat_11ABCDEFG0123456789_abcdefghijklmnop;") == "x=github_pat_***;")
        #expect(r.redact("glpat-AbCdEf0123456789xyz") == "glpat-***")
        #expect(r.redact("key sk-proj-abcdefghijklmnop0123456789") == "key sk-***")
        #expect(r.redact("xoxb-1234-5678-abcdefgh") == "xoxb-***")
        #expect(r.redact("https://x-access-token:ghs_abcdefgh12345678@github.com/o/r")
                == "https://x-access-token:ghs_***@github.com/o/r")
        #expect(r.redact("Authorization: Bearer eyJhbGciOi.J9x-1_2~3+4/5=") == "Authorization: Bearer ***")
        #expect(r.redact("AKIAABCDEFGHIJKLMNOP") == "AKIA***")
        // Prose and lookalikes stay: a word boundary before the prefix, enough characters after it,
        // and a digit in what follows `Bearer`.
        for text in ["task-runner sk-learn", "the bearer instruments", "ghp_short", "mask-0123456789abcdefghij", "café ghp_"] {
            #expect(r.redact(text) == text)
        }
    }

    @Test("the values of secret options and assignments are hidden in a command line")
    func arguments() {
        let r = Redactor()
        #expect(r.redact(arguments: ["ci", "--token", "plain-value", "--sarif", "a.sarif"]) == ["ci", "--token", "***", "--sarif", "a.sarif"])
        #expect(r.redact(arguments: ["--token=plain", "--gh-token=x", "--api-key", "k", "--db-password=p", "--client-secret", "s"])
                == ["--token=***", "--gh-token=***", "--api-key", "***", "--db-password=***", "--client-secret", "***"])
        #expect(r.redact(arguments: ["OPENAI_API_KEY=abc", "GH_TOKEN=abc", "DB_SECRET=abc", "PASSWORD=x", "MODE=fast"])
                == ["OPENAI_API_KEY=***", "GH_TOKEN=***", "DB_SECRET=***", "PASSWORD=***", "MODE=fast"])
        #expect(r.redact(arguments: ["--password", "hunter2", "--verbose"]) == ["--password", "***", "--verbose"])
        // Other options keep their values; a token shape is hidden in any argument.
        #expect(r.redact(arguments: ["--sign", "ci.key", "--rev", "HEAD", "echo ghp_abcdefgh12345678"])
                == ["--sign", "ci.key", "--rev", "HEAD", "echo ghp_***"])
    }

    @Test("the secret values of a command line can be hidden wherever else they appear")
    func secretValues() {
        #expect(Redactor.secretValues(in: ["ci", "--token", "t1", "--api-key=k2", "GH_TOKEN=g3", "--sarif", "x", "echo ghp_abcdefgh12345678"])
                == ["t1", "k2", "g3"])
    }

    @Test("secrets the caller knows are hidden first, also percent-encoded")
    func knownSecrets() {
        let r = Redactor(secrets: ["s3cr3t/value"])
        #expect(r.redact("a s3cr3t/value b s3cr3t%2Fvalue") == "a *** b ***")
    }
}
