/* Loads libcurl on first use and calls it through the addresses looked up then (see CCurl.h). */
#include "CCurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static struct {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *handle);
    CURLcode (*easy_perform)(CURL *handle);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *line);
    void (*slist_free_all)(struct curl_slist *list);
    CURLcode (*easy_setopt)(CURL *handle, CURLoption option, ...);
    CURLcode (*easy_getinfo)(CURL *handle, CURLINFO info, ...);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[512];
static int loaded;

#ifdef __APPLE__
static const char *const names[] = {"libcurl.4.dylib", "libcurl.dylib"};
#else
static const char *const names[] = {"libcurl.so.4", "libcurl.so"};
#endif

static void *symbol(void *library, const char *name, int *missing) {
    void *address = dlsym(library, name);
    if (address == NULL && !*missing) {
        *missing = 1;
        snprintf(failure, sizeof failure, "%s is missing from the libcurl that was loaded; reinstall libcurl", name);
    }
    return address;
}

static void load(void) {
    void *library = NULL;
    const char *why = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && library == NULL; i++) {
        library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (library == NULL && why == NULL) why = dlerror();
    }
    if (library == NULL) {
        snprintf(failure, sizeof failure, "libcurl could not be loaded (%s); install it (Debian: apt-get install libcurl4)",
                 why ? why : "no library found");
        return;
    }
    int missing = 0;
    *(void **)&api.global_init = symbol(library, "curl_global_init", &missing);
    *(void **)&api.easy_init = symbol(library, "curl_easy_init", &missing);
    *(void **)&api.easy_cleanup = symbol(library, "curl_easy_cleanup", &missing);
    *(void **)&api.easy_perform = symbol(library, "curl_easy_perform", &missing);
    *(void **)&api.easy_strerror = symbol(library, "curl_easy_strerror", &missing);
    *(void **)&api.slist_append = symbol(library, "curl_slist_append", &missing);
    *(void **)&api.slist_free_all = symbol(library, "curl_slist_free_all", &missing);
    *(void **)&api.easy_setopt = symbol(library, "curl_easy_setopt", &missing);
    *(void **)&api.easy_getinfo = symbol(library, "curl_easy_getinfo", &missing);
    loaded = !missing;
}

const char *assay_curl_load_error(void) {
    pthread_once(&once, load);
    return loaded ? NULL : failure;
}

#define LOADED_OR(fallback) do { if (assay_curl_load_error() != NULL) return fallback; } while (0)

CURLcode assay_curl_global_init_all(void) {
    LOADED_OR(CURLE_FAILED_INIT);
    return api.global_init(CURL_GLOBAL_ALL);
}

CURL *assay_curl_easy_init(void) {
    LOADED_OR(NULL);
    return api.easy_init();
}

void assay_curl_easy_cleanup(CURL *handle) {
    if (handle != NULL && assay_curl_load_error() == NULL) api.easy_cleanup(handle);
}

CURLcode assay_curl_easy_perform(CURL *handle) {
    LOADED_OR(CURLE_FAILED_INIT);
    return api.easy_perform(handle);
}

const char *assay_curl_easy_strerror(CURLcode code) {
    LOADED_OR(failure);
    return api.easy_strerror(code);
}

struct curl_slist *assay_curl_slist_append(struct curl_slist *list, const char *line) {
    LOADED_OR(NULL);
    return api.slist_append(list, line);
}

void assay_curl_slist_free_all(struct curl_slist *list) {
    if (list != NULL && assay_curl_load_error() == NULL) api.slist_free_all(list);
}

CURLcode assay_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    LOADED_OR(CURLE_FAILED_INIT);
    return api.easy_setopt(handle, option, value);
}

CURLcode assay_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    LOADED_OR(CURLE_FAILED_INIT);
    return api.easy_setopt(handle, option, value);
}

CURLcode assay_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    LOADED_OR(CURLE_FAILED_INIT);
    return api.easy_setopt(handle, option, value);
}

CURLcode assay_curl_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    LOADED_OR(CURLE_FAILED_INIT);
    return api.easy_setopt(handle, option, value);
}

CURLcode assay_curl_setopt_data_callback(CURL *handle, CURLoption option, assay_curl_data_callback callback) {
    LOADED_OR(CURLE_FAILED_INIT);
    return api.easy_setopt(handle, option, callback);
}

CURLcode assay_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    LOADED_OR(CURLE_FAILED_INIT);
    return api.easy_getinfo(handle, info, value);
}

size_t assay_curl_error_size(void) {
    return CURL_ERROR_SIZE;
}
