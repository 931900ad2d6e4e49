# roster_add_test(NAME name SOURCES a.cc ... LIBS lib ... [LABELS l ...])
# Builds a GoogleTest binary into build/bin and registers its cases with CTest.
# Labels: "unit" (fast, default), "crash", "e2e", "fuzz", "soak" (long; short defaults in CI).
# Every case also carries its binary's name as a label, so that `ctest -L '^name$'` runs the
# cases of one binary (tools/sanitize.sh picks the binaries of the ThreadSanitizer job so), and
# every test binary is a dependency of the target `roster_tests`, which builds the whole suite
# without the programs no test runs (the benchmarks, the fixture generator).
function(roster_add_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main)
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  gtest_discover_tests(${T_NAME} DISCOVERY_TIMEOUT 60)
  # gtest_discover_tests (CMake 3.25) splits a list given in PROPERTIES into separate
  # arguments, so it cannot set two labels. The labels are set by a file CTest includes after
  # the discovered cases, which that module lists in ${T_NAME}_TESTS.
  set(labels_file ${CMAKE_CURRENT_BINARY_DIR}/${T_NAME}_labels.cmake)
  file(WRITE ${labels_file}
    "if(DEFINED ${T_NAME}_TESTS)\n"
    "  set_tests_properties(\${${T_NAME}_TESTS} PROPERTIES LABELS \"${T_LABELS};${T_NAME}\")\n"
    "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${labels_file})
  if(NOT TARGET roster_tests)
    add_custom_target(roster_tests)
  endif()
  add_dependencies(roster_tests ${T_NAME})
endfunction()
