// A worker thread that runs registered experiments (exp::Registry) for one panel: a batch of
// runs at a time, progress and cancel through the experiments' Progress callback, and an
// optional cache of recent Results keyed by (experiment, parameters) so unchanged runs are reused.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <list>
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
  double seconds = 0;                 ///< wall time of the run (0 when reused from the cache)
  bool reused = false;                ///< the Result came from the cache, nothing ran
};

/// Runs batches on its own thread; a new batch cancels the running one (latest wins).
class Job {
 public:
  /// The nice value (Linux) of the job's thread and the experiment threads it starts: above the
  /// UI thread's 0, so drawing a finished Result does not wait behind running experiments.
  static constexpr int kWorkerNice = 5;
  /// A job running experiments of `registry` (which must outlive it).
  explicit Job(const exp::Registry& registry);
  /// Cancels the running batch and joins the thread.
  ~Job();
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  /// Queues a batch (replacing a queued one and cancelling the running one); returns its number.
  /// With a cache, requests whose (experiment, parameters) ran before are answered from it at
  /// once (their outputs are ready before this returns) and only the others are queued.
  std::uint64_t start(std::vector<JobRequest> batch);
  /// Keeps the last `n` successful Results for reuse by start() (0, the default: no cache).
  /// Experiments are deterministic given their parameters, so a cached Result is the one a run
  /// would give; requests naming an input file are never cached (the file may change).
  void set_cache_capacity(std::size_t n);
  /// Forgets the cached Results (an explicit re-run).
  void clear_cache();
  /// Results answered from the cache since the job was made (tests, --stats).
  std::uint64_t cache_hits() const { return cache_hits_.load(); }
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
  /// How many finished runs of batch `batch` wait to be taken: all of them (`experiment` empty),
  /// or the successful ones of that experiment.
  std::size_t waiting(std::uint64_t batch, const std::string& experiment = {}) const;
  /// Moves out the runs finished since the last call.
  std::vector<JobOutput> take();
  /// Blocks until idle (for tests and screenshots); false on timeout.
  bool wait_idle(double timeout_seconds) const;

 private:
  void loop();
  /// The cache key of a request, or "" when it must not be cached.
  static std::string cache_key(const JobRequest& r);

  struct CacheEntry {
    std::string key;
    exp::Result result;
  };

  const exp::Registry& registry_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::optional<std::vector<JobRequest>> pending_;
  std::vector<std::size_t> pending_index_;  ///< each queued request's position in its batch
  std::list<CacheEntry> cache_;              ///< most recent first (guarded by mu_)
  std::size_t cache_capacity_ = 0;
  std::atomic<std::uint64_t> cache_hits_{0};
  std::uint64_t next_batch_ = 0, pending_batch_ = 0;
  std::vector<JobOutput> done_;
  std::string stage_;
  bool running_ = false;  ///< the worker holds a batch (guarded by mu_)
  std::atomic<bool> cancel_{false}, stop_{false}, busy_{false};
  std::atomic<float> progress_{0.0f};
  std::thread thread_;
};

}  // namespace fp4lab::gui
