#ifndef ASSAY_CCMARK_SHIM_H
#define ASSAY_CCMARK_SHIM_H

#include <cmark-gfm.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm-core-extensions.h>

/* Typed wrappers for what Swift cannot import, or imports untyped: the CMARK_OPT_* option macros. */

/** The parser options MarkdownKit uses: CommonMark defaults (no smart punctuation, no source
    rewriting, raw bytes passed through; the Swift side decodes leniently). */
static inline int assay_cmark_options_default(void) {
    return CMARK_OPT_DEFAULT;
}

#endif
