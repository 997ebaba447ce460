// The panels' experiment worker: one thread, latest batch wins, cancel through Progress, recent
// Results reused when a request's experiment and parameters did not change.
#include "gui/panels/job.hpp"

#include <chrono>
#include <exception>

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace fp4lab::gui {

Job::Job(const exp::Registry& registry) : registry_(registry), thread_([this] { loop(); }) {}

Job::~Job() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cancel_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

std::string Job::cache_key(const JobRequest& r) {
  if (r.params.is_object() && r.params.contains("input") && r.params["input"].is_string() &&
      !r.params["input"].get<std::string>().empty()) {
    return {};
  }
  return r.experiment + "\n" + r.params.dump();  // nlohmann's objects dump with sorted keys
}

void Job::set_cache_capacity(std::size_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  cache_capacity_ = n;
  while (cache_.size() > cache_capacity_) cache_.pop_back();
}

void Job::clear_cache() {
  std::lock_guard<std::mutex> lock(mu_);
  cache_.clear();
}

std::uint64_t Job::start(std::vector<JobRequest> batch) {
  std::uint64_t id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = ++next_batch_;
    // answered from the cache now; the rest is queued with its position in the batch
    std::vector<JobRequest> todo;
    std::vector<std::size_t> todo_index;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const std::string key = cache_capacity_ > 0 ? cache_key(batch[i]) : std::string();
      auto hit = cache_.end();
      if (!key.empty()) {
        for (auto it = cache_.begin(); it != cache_.end(); ++it) {
          if (it->key == key) hit = it;
        }
      }
      if (hit == cache_.end()) {
        todo.push_back(std::move(batch[i]));
        todo_index.push_back(i);
        continue;
      }
      cache_.splice(cache_.begin(), cache_, hit);  // most recently used first
      JobOutput out;
      out.batch = id;
      out.index = i;
      out.experiment = batch[i].experiment;
      out.result = cache_.front().result;
      out.reused = true;
      done_.push_back(std::move(out));
      ++cache_hits_;
    }
    cancel_ = true;  // the running batch stops at its next progress report
    if (todo.empty()) {
      pending_.reset();
      busy_ = running_;  // a superseded run may still be on its way out
    } else {
      pending_ = std::move(todo);
      pending_index_ = std::move(todo_index);
      pending_batch_ = id;
      busy_ = true;
    }
  }
  cv_.notify_all();
  return id;
}

void Job::cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  pending_.reset();
  if (running_) {
    cancel_ = true;  // the worker stops at the next progress report
  } else {
    busy_ = false;  // only a queued batch existed: it is gone
    cv_.notify_all();
  }
}

std::string Job::stage() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stage_;
}

std::size_t Job::waiting(std::uint64_t batch, const std::string& experiment) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::size_t n = 0;
  for (const JobOutput& o : done_) {
    n += o.batch == batch && (experiment.empty() || (o.experiment == experiment && o.result));
  }
  return n;
}

std::vector<JobOutput> Job::take() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<JobOutput> out;
  out.swap(done_);
  return out;
}

bool Job::wait_idle(double timeout_seconds) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, std::chrono::duration<double>(timeout_seconds), [this] { return !busy_.load(); });
}

void Job::loop() {
#if defined(__linux__)
  // The window first: on Linux a thread's nice value is its own and the experiment's worker
  // threads inherit it, so a busy experiment yields the cores to the UI thread and a finished
  // Result is drawn in the next frame rather than after the others' time slices. Failure (a
  // sandbox refusing it) leaves the default priority: only latency, never results, depends on it.
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), kWorkerNice);
#endif
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_.load() || pending_.has_value(); });
    if (stop_) return;
    std::vector<JobRequest> batch = std::move(*pending_);
    const std::vector<std::size_t> index = std::move(pending_index_);
    const std::uint64_t id = pending_batch_;
    pending_.reset();
    cancel_ = false;
    running_ = true;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      JobOutput out;
      out.batch = id;
      out.index = i < index.size() ? index[i] : i;
      out.experiment = batch[i].experiment;
      stage_ = batch[i].experiment;
      progress_ = 0.0f;
      lock.unlock();
      const auto t0 = std::chrono::steady_clock::now();
      try {
        const exp::Experiment* e = registry_.find(batch[i].experiment);
        if (!e) throw std::invalid_argument("no experiment named '" + batch[i].experiment + "'");
        const std::string name = batch[i].experiment;
        out.result = e->run(batch[i].params, [this, &name](double f, std::string_view stage) {
          progress_ = static_cast<float>(f);
          {
            std::lock_guard<std::mutex> l(mu_);
            stage_ = name + ": " + std::string(stage);
          }
          return !cancel_.load();
        });
      } catch (const exp::Cancelled&) {
        out.error = "cancelled";
      } catch (const std::exception& ex) {
        out.error = ex.what();
      }
      out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      lock.lock();
      if (cancel_ && !out.result) out.error = "cancelled";
      const bool stop_batch = cancel_.load();
      if (out.result && cache_capacity_ > 0) {  // a Result is whole even when its batch was superseded
        if (std::string key = cache_key(batch[i]); !key.empty()) {
          cache_.push_front({std::move(key), *out.result});
          while (cache_.size() > cache_capacity_) cache_.pop_back();
        }
      }
      done_.push_back(std::move(out));
      if (stop_batch) break;
    }
    progress_ = 1.0f;
    stage_.clear();
    running_ = false;
    if (!pending_) {
      busy_ = false;
      cv_.notify_all();
    }
  }
}

}  // namespace fp4lab::gui
