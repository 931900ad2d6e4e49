// toml++ configured as Debian ships it, for the fuzz build only (tests/fuzz), which compiles
// toml++ from its headers so that the fuzzer sees inside the parser (tools/rosterd).
//
// Why: Debian's libtomlplusplus3 is built with NDEBUG, so its TOML_ASSERTs are compiled out,
// and with g++, where TOML_ASSUME is empty. toml++ 3.3.0 asserts a precondition in parse_key()
// that input can break (a table header such as `[#`), and then rejects that input with a
// parse_error (fixed upstream by marzer/tomlplusplus#301). With its assertions on, the fuzzer
// would stop at that assertion instead of testing the parser rosterd runs; with NDEBUG under
// clang, TOML_ASSUME would become __builtin_assume and that input undefined behaviour. So the
// assertions are off here and NDEBUG stays undefined.
#pragma once

#define TOML_ASSERT(expr) static_assert(true)
