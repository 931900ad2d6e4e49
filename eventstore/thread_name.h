// NameThisThread: gives the calling thread a name that `top -H`, `ps -L`, gdb and perf show,
// so an operator can tell the log writer from the projections and the network threads.
// Linux keeps at most 15 characters; longer names are cut. Thread-safe (names only the caller).
#pragma once

#include <pthread.h>

#include <string>

namespace roster::eventstore {

inline void NameThisThread(const std::string& name) {
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace roster::eventstore
