// A worker thread that runs registered experiments (exp::Registry) for one panel: a batch of
// runs at a time, progress and cancel through the experiments' Progress callback.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "experiments/experiment.hpp"

namespace fp4lab::gui {

/// One run of a registered experiment.
struct JobRequest {
  std::string experiment;  ///< registry id, e.g. "compare"
  exp::Params params;      ///< given parameters (defaults fill the rest)
};

/// One finished run of a batch.
struct JobOutput {
  std::uint64_t batch = 0;            ///< the batch number start() returned
  std::size_t index = 0;              ///< position in that batch
  std::string experiment;             ///< the request's experiment id
  std::optional<exp::Result> result;  ///< the Result, or empty on error/cancel
  std::string error;                  ///< what went wrong ("cancelled" when cancelled)
  double seconds = 0;                 ///< wall time of the run
};

/// Runs batches on its own thread; a new batch cancels the running one (latest wins).
class Job {
 public:
  /// A job running experiments of `registry` (which must outlive it).
  explicit Job(const exp::Registry& registry);
  /// Cancels the running batch and joins the thread.
  ~Job();
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  /// Queues a batch (replacing a queued one and cancelling the running one); returns its number.
  std::uint64_t start(std::vector<JobRequest> batch);
  /// Asks the running batch to stop (its progress callback returns false) and drops a queued one.
  void cancel();
  /// True while a batch runs or is queued.
  bool busy() const { return busy_.load(); }
  /// Progress of the running run in [0, 1].
  float progress() const { return progress_.load(); }
  /// The running run's experiment and stage, e.g. "compare: nvfp4:te".
  std::string stage() const;
  /// True when finished runs wait to be taken.
  bool has_output() const {
    std::lock_guard<std::mutex> lock(mu_);
    return !done_.empty();
  }
  /// Moves out the runs finished since the last call.
  std::vector<JobOutput> take();
  /// Blocks until idle (for tests and screenshots); false on timeout.
  bool wait_idle(double timeout_seconds) const;

 private:
  void loop();

  const exp::Registry& registry_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::optional<std::vector<JobRequest>> pending_;
  std::uint64_t next_batch_ = 0, pending_batch_ = 0;
  std::vector<JobOutput> done_;
  std::string stage_;
  bool running_ = false;  ///< the worker holds a batch (guarded by mu_)
  std::atomic<bool> cancel_{false}, stop_{false}, busy_{false};
  std::atomic<float> progress_{0.0f};
  std::thread thread_;
};

}  // namespace fp4lab::gui
