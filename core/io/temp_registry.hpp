// The registry of live temporary files (AtomicFile's OUT.tmp.XXXXXX): on SIGINT, SIGTERM or
// SIGHUP a handler that makes only async-signal-safe calls (unlink, sigaction, raise) removes
// them, then re-raises the signal with its default action, so the process still dies by it.
#pragma once

namespace fp4lab::core {

/// Records `path` as a live temporary; returns its slot (-1 when all 256 slots are taken: the
/// file then is not cleaned on a signal). Installs the handlers on first use, for each of the
/// three signals whose disposition is still the default (a program's own handler is kept).
int register_temp_file(const char* path);

/// Forgets slot `slot` (from register_temp_file; -1 is ignored).
void unregister_temp_file(int slot);

/// Blocks SIGINT, SIGTERM and SIGHUP in this thread while alive, so that creating a temporary
/// and registering it (or renaming it and forgetting it) happen as one step for the handler.
class SignalBlock {
 public:
  /// Blocks the three signals, keeping the previous mask.
  SignalBlock();
  /// Restores the previous mask (a pending signal is delivered then).
  ~SignalBlock();
  SignalBlock(const SignalBlock&) = delete;
  SignalBlock& operator=(const SignalBlock&) = delete;

 private:
  alignas(16) unsigned char saved_[128];  // sigset_t, kept opaque here
};

}  // namespace fp4lab::core
