# cmake -DINPUT=file -DOUTPUT=header -P embed_text.cmake
# Writes a header defining `kOpenApiDocument`, a std::string_view of INPUT's bytes, as a raw
# string literal; fails if the file holds the literal's delimiter.
file(READ ${INPUT} content)
string(FIND "${content}" ")roster_embed\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} holds the embedding delimiter )roster_embed\"")
endif()
file(WRITE ${OUTPUT}.tmp
  "// Generated from ${INPUT} by cmake/embed_text.cmake: do not edit.\n"
  "#pragma once\n#include <string_view>\n"
  "inline constexpr std::string_view kOpenApiDocument = R\"roster_embed(${content})roster_embed\";\n")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)
