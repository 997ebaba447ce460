// Splitting work over CPU threads. Work items are independent and each writes its own
// outputs, so results do not depend on the thread count.
#pragma once

#include <cstdint>
#include <functional>

namespace fp4lab::core {

/// Threads to use: `requested` if > 0, else the hardware concurrency (at least 1).
int resolve_threads(int requested);

/// Calls fn(begin, end) over contiguous chunks of [0, n) on up to `threads` threads and waits.
/// An exception thrown by any chunk is rethrown on the caller's thread.
void parallel_for(std::int64_t n, int threads, const std::function<void(std::int64_t, std::int64_t)>& fn);

}  // namespace fp4lab::core
