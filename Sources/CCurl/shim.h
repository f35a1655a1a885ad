#ifndef ASSAY_CCURL_SHIM_H
#define ASSAY_CCURL_SHIM_H

#include <curl/curl.h>

/* Typed wrappers for what Swift cannot import: the variadic curl_easy_setopt and curl_easy_getinfo. */

static inline CURLcode assay_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode assay_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode assay_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode assay_curl_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

typedef size_t (*assay_curl_data_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode assay_curl_setopt_data_callback(CURL *handle, CURLoption option, assay_curl_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

static inline CURLcode assay_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

/* Macros Swift cannot import as values: the global-init flags and the error-buffer size. */

static inline CURLcode assay_curl_global_init_all(void) {
    return curl_global_init(CURL_GLOBAL_ALL);
}

static inline size_t assay_curl_error_size(void) {
    return CURL_ERROR_SIZE;
}

#endif
