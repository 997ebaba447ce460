// The GPU commands of the `fp4lab` CLI, built with the CUDA part: `fp4lab verify` (hardware
// conversions, every kernel against its CPU twin, GEMMs) and `fp4lab bench` (bandwidth of the
// GPU quantizer against a device-to-device copy). Both exit 3 when no CUDA device is present.
#pragma once

namespace fp4lab::kernels {

/// `fp4lab verify [--quick] [--seed N] [--gemm M,N,K]`; argv[0] is "verify". Exit 0 when
/// every bit-exact comparison matched, 1 on a mismatch, 2 on bad arguments, 3 without a GPU.
int verify_main(int argc, char** argv);

/// `fp4lab bench [--sizes-mib ...] [--runs N] ...`; argv[0] is "bench".
int bench_main(int argc, char** argv);

}  // namespace fp4lab::kernels
