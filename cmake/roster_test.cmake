# roster_add_test(NAME name SOURCES a.cc ... LIBS lib ... [LABELS l ...])
# Builds a GoogleTest binary into build/bin and registers its cases with CTest.
# Labels: "unit" (fast, default), "crash", "e2e", "fuzz", "soak" (long; short defaults in CI).
function(roster_add_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main)
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  gtest_discover_tests(${T_NAME}
    PROPERTIES LABELS "${T_LABELS}"
    DISCOVERY_TIMEOUT 60)
endfunction()
