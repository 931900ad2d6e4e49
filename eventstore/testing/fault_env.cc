#include "eventstore/testing/fault_env.h"

#include <thread>

namespace roster::eventstore::testing {
namespace {

rocksdb::IOStatus Injected() { return rocksdb::IOStatus::NoSpace("injected by FaultInjection"); }

class FaultFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultFile(std::unique_ptr<rocksdb::FSWritableFile> target,
            std::shared_ptr<FaultSwitches> switches)
      : FSWritableFileOwnerWrapper(std::move(target)), switches_(std::move(switches)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    if (auto s = BeforeWrite(data, options, dbg); !s.ok()) return s;
    return FSWritableFileOwnerWrapper::Append(data, options, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    if (auto s = BeforeWrite(data, options, dbg); !s.ok()) return s;
    return FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
  }
  rocksdb::IOStatus Flush(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (switches_->fail_writes) return Injected();
    return FSWritableFileOwnerWrapper::Flush(options, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    if (auto s = BeforeSync(); !s.ok()) return s;
    return FSWritableFileOwnerWrapper::Sync(options, dbg);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (auto s = BeforeSync(); !s.ok()) return s;
    return FSWritableFileOwnerWrapper::Fsync(options, dbg);
  }

 private:
  rocksdb::IOStatus BeforeWrite(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                                rocksdb::IODebugContext* dbg) {
    const uint64_t n = switches_->writes.fetch_add(1) + 1;
    if (const uint64_t fail_at = switches_->fail_at_write.load(); fail_at != 0 && n >= fail_at) {
      if (n == fail_at && switches_->tear) {
        // Ignored on purpose: the write fails either way; the half is what a torn write leaves.
        (void)FSWritableFileOwnerWrapper::Append(rocksdb::Slice(data.data(), data.size() / 2),
                                                 options, dbg);
      }
      switches_->fail_writes = true;
    }
    if (switches_->fail_writes) return Injected();
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus BeforeSync() {
    const uint64_t n = switches_->syncs.fetch_add(1) + 1;
    if (const int64_t delay = switches_->sync_delay_us.load(); delay > 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(delay));
    }
    if (const uint64_t fail_at = switches_->fail_at_sync.load(); fail_at != 0 && n >= fail_at) {
      switches_->fail_writes = true;
    }
    if (switches_->fail_writes) return Injected();
    return rocksdb::IOStatus::OK();
  }
  std::shared_ptr<FaultSwitches> switches_;
};

class FaultFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  explicit FaultFileSystem(std::shared_ptr<FaultSwitches> switches)
      : FileSystemWrapper(rocksdb::FileSystem::Default()), switches_(std::move(switches)) {}

  const char* Name() const override { return "RosterFaultFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    if (!Targeted(name)) return target()->NewWritableFile(name, options, result, dbg);
    if (switches_->fail_writes) return Injected();
    return Wrap(target()->NewWritableFile(name, options, result, dbg), result);
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override {
    if (!Targeted(name)) return target()->ReopenWritableFile(name, options, result, dbg);
    if (switches_->fail_writes) return Injected();
    return Wrap(target()->ReopenWritableFile(name, options, result, dbg), result);
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override {
    if (!Targeted(name)) return target()->ReuseWritableFile(name, old_name, options, result, dbg);
    if (switches_->fail_writes) return Injected();
    return Wrap(target()->ReuseWritableFile(name, old_name, options, result, dbg), result);
  }

 private:
  bool Targeted(const std::string& name) {
    std::lock_guard lock(switches_->mu);
    return name.find(switches_->only_named) != std::string::npos;
  }
  rocksdb::IOStatus Wrap(rocksdb::IOStatus status,
                         std::unique_ptr<rocksdb::FSWritableFile>* result) {
    if (status.ok()) *result = std::make_unique<FaultFile>(std::move(*result), switches_);
    return status;
  }
  std::shared_ptr<FaultSwitches> switches_;
};

}  // namespace

FaultInjection::FaultInjection()
    : switches_(std::make_shared<FaultSwitches>()),
      env_(rocksdb::NewCompositeEnv(std::make_shared<FaultFileSystem>(switches_))) {}

FaultInjection::~FaultInjection() = default;

}  // namespace roster::eventstore::testing
