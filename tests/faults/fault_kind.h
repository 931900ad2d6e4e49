// How a disk-fault test breaks a database's disk, and the name each kind gives a test case.
#pragma once

#include <gtest/gtest.h>

#include <string>

namespace roster::tests {

enum class Fault { kWriteFails, kTornWrite, kSyncFails };

inline std::string FaultName(const ::testing::TestParamInfo<Fault>& info) {
  switch (info.param) {
    case Fault::kWriteFails:
      return "WriteFails";
    case Fault::kTornWrite:
      return "TornWrite";
    case Fault::kSyncFails:
      return "SyncFails";
  }
  return "Unknown";
}

}  // namespace roster::tests
