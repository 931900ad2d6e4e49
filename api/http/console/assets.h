// The console's files (static/ and the generated role catalogs), compiled into the binary by
// cmake/embed_files.cmake, and how they are answered: the URL paths they live at, their media
// types and the headers that confine the page (a Content-Security-Policy that allows only this
// origin's scripts, styles and API, so nothing is fetched from elsewhere at run time).
//
// Pure lookups over constant data; thread-safe.
#pragma once

#include <span>
#include <string_view>

namespace roster::api::http::console {

// One embedded file, by its path under its root ("index.html", "js/app.js").
struct EmbeddedFile {
  std::string_view name;
  std::string_view body;
};
std::span<const EmbeddedFile> EmbeddedFiles();  // generated

// What a console URL answers with.
struct Asset {
  std::string_view body;
  std::string_view content_type;
};

// The asset at a URL path: "/" is index.html, every file is under "/console/" by its name.
// nullptr for any other path (the API's and the operators' paths among them).
const Asset* FindAsset(std::string_view path);

// Headers sent with every console answer.
struct HeaderLine {
  std::string_view name;
  std::string_view value;
};
std::span<const HeaderLine> AssetHeaders();

}  // namespace roster::api::http::console
