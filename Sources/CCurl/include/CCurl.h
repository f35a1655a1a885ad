#ifndef ASSAY_CCURL_H
#define ASSAY_CCURL_H

/* libcurl, loaded when the first HTTP request needs it (dlopen of libcurl.so.4), not when assay
 * starts: linked at start-up, libcurl and the thirty libraries it needs cost every run about 5 ms
 * in the dynamic loader, and most runs (the git hooks above all) never make a request.
 *
 * Only the types and constants of <curl/curl.h> are used from Swift; every call goes through one of
 * the assay_curl_* functions below. They fail with CURLE_FAILED_INIT when libcurl cannot be loaded,
 * and assay_curl_load_error() then says why. They are also the typed wrappers for what Swift cannot
 * call: the variadic curl_easy_setopt and curl_easy_getinfo, and macros used as values. */

#include <curl/curl.h>
#include <stddef.h>

/* NULL once libcurl is loaded (loading it if it was not); otherwise what went wrong. */
const char *assay_curl_load_error(void);

CURLcode assay_curl_global_init_all(void);
CURL *assay_curl_easy_init(void);
void assay_curl_easy_cleanup(CURL *handle);
CURLcode assay_curl_easy_perform(CURL *handle);
const char *assay_curl_easy_strerror(CURLcode code);
struct curl_slist *assay_curl_slist_append(struct curl_slist *list, const char *line);
void assay_curl_slist_free_all(struct curl_slist *list);

CURLcode assay_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode assay_curl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode assay_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode assay_curl_setopt_offset(CURL *handle, CURLoption option, curl_off_t value);

typedef size_t (*assay_curl_data_callback)(char *data, size_t size, size_t count, void *context);
CURLcode assay_curl_setopt_data_callback(CURL *handle, CURLoption option, assay_curl_data_callback callback);

CURLcode assay_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);

size_t assay_curl_error_size(void);

#endif
