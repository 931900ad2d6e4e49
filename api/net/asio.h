// The one way Roster includes Asio (Boost 1.74, header-only) and its SSL layer.
//
// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>; g++ 12 then
// fails to compile it, so <utility> comes first here and every Asio user includes this header.
// Boost 1.74 predates asio::as_tuple (1.77) and channels: coroutines take errors as values
// through redirect_error(use_awaitable, ec) instead (the `Await` token below).
#pragma once

// The order matters (see above).
// clang-format off
#include <utility>
#include <boost/asio.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
// clang-format on

namespace roster::api::net {
namespace asio = boost::asio;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;

// A completion token for co_await that stores the error in `ec` instead of throwing. Asio
// offers coroutines only where the compiler's are on: not in the clang build of the fuzzers,
// whose targets reach this header (through the webhooks' client) but never co_await.
#if defined(BOOST_ASIO_HAS_CO_AWAIT)
inline auto Await(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }
#endif
}  // namespace roster::api::net
