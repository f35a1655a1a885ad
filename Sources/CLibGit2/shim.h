#ifndef ASSAY_CLIBGIT2_SHIM_H
#define ASSAY_CLIBGIT2_SHIM_H

#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <zlib.h>

/* An object-database backend that carries a pointer back to its Swift owner (GitKit's LooseObjectGuard). */
typedef struct {
    git_odb_backend parent;
    void *context;
} assay_odb_guard;

static inline int assay_inflate_init(z_stream *stream) { return inflateInit(stream); }

/* Typed wrappers for what Swift cannot import: variadic git_libgit2_opts and the *_INIT macros. */

static inline int assay_git_set_strict_hash_verification(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, enabled);
}

static inline int assay_git_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}

static inline int assay_git_set_cache_max_size(long long bytes) {
    return git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)bytes);
}

static inline int assay_git_set_cache_object_limit(git_object_t type, size_t bytes) {
    return git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, type, bytes);
}

static inline git_diff_options assay_git_diff_options_init(void) {
    git_diff_options o = GIT_DIFF_OPTIONS_INIT;
    return o;
}

static inline git_diff_find_options assay_git_diff_find_options_init(void) {
    git_diff_find_options o = GIT_DIFF_FIND_OPTIONS_INIT;
    return o;
}

static inline git_blame_options assay_git_blame_options_init(void) {
    git_blame_options o = GIT_BLAME_OPTIONS_INIT;
    return o;
}

static inline git_merge_options assay_git_merge_options_init(void) {
    git_merge_options o = GIT_MERGE_OPTIONS_INIT;
    return o;
}

static inline git_message_trailer_array assay_git_trailer_array_init(void) {
    git_message_trailer_array a = {0};
    return a;
}

static inline git_buf assay_git_buf_init(void) {
    git_buf b = GIT_BUF_INIT;
    return b;
}

static inline int git_libgit2_opts_caching_off(void) { return git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0); }

#endif
