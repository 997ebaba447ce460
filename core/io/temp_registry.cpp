// The temporary-file registry and its signal handler (see temp_registry.hpp).
#include "core/io/temp_registry.hpp"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <mutex>

namespace fp4lab::core {
namespace {

constexpr int kSlots = 256;
constexpr std::size_t kPathMax = 4096;

/// One slot: state 0 free, 1 being filled or emptied, 2 holds a live path.
struct Slot {
  std::atomic<int> state{0};
  char path[kPathMax];
};
Slot g_slots[kSlots];

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void remove_temps_and_reraise(int sig) {
  for (Slot& s : g_slots) {
    if (s.state.load(std::memory_order_acquire) == 2) ::unlink(s.path);
  }
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(sig, &dfl, nullptr);
  ::raise(sig);  // blocked inside the handler: delivered with the default action on return
}

void install_handlers() {
  for (int sig : kSignals) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) != 0 || old.sa_handler != SIG_DFL ||
        (old.sa_flags & SA_SIGINFO))
      continue;  // ignored, or the program handles it itself
    struct sigaction sa {};
    sa.sa_handler = remove_temps_and_reraise;
    sigemptyset(&sa.sa_mask);
    for (int other : kSignals) sigaddset(&sa.sa_mask, other);
    ::sigaction(sig, &sa, nullptr);
  }
}

}  // namespace

int register_temp_file(const char* path) {
  static std::once_flag once;
  std::call_once(once, install_handlers);
  if (std::strlen(path) >= kPathMax) return -1;
  for (int k = 0; k < kSlots; ++k) {
    int expected = 0;
    if (g_slots[k].state.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) {
      std::strcpy(g_slots[k].path, path);
      g_slots[k].state.store(2, std::memory_order_release);
      return k;
    }
  }
  return -1;
}

void unregister_temp_file(int slot) {
  if (slot < 0 || slot >= kSlots) return;
  g_slots[slot].state.store(1, std::memory_order_release);
  g_slots[slot].path[0] = '\0';
  g_slots[slot].state.store(0, std::memory_order_release);
}

SignalBlock::SignalBlock() {
  static_assert(sizeof(sigset_t) <= sizeof(saved_));
  sigset_t block;
  sigemptyset(&block);
  for (int sig : kSignals) sigaddset(&block, sig);
  ::pthread_sigmask(SIG_BLOCK, &block, reinterpret_cast<sigset_t*>(saved_));
}

SignalBlock::~SignalBlock() {
  ::pthread_sigmask(SIG_SETMASK, reinterpret_cast<const sigset_t*>(saved_), nullptr);
}

}  // namespace fp4lab::core
