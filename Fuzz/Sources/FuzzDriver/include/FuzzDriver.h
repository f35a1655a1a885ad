#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer (its command-line flags, corpus folders) over `test_one_input`. SwiftPM links an
/// executable's `main` to `<Module>_main`, so a fuzz target cannot use libFuzzer's own `main`: each
/// target defines `<Module>_main` and calls this.
int assay_fuzz_main(int argc, char **argv, int (*test_one_input)(const uint8_t *data, size_t size));
