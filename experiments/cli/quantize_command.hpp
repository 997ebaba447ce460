// `fp4lab quantize` and `fp4lab dequantize`: whole checkpoints (core::Checkpoint: safetensors,
// sharded, GGUF, npy) to and from the quantized file of core/io/quantized_file.hpp, one tensor
// at a time; tensors not quantized (core/io/tensor_selection.hpp) pass through unchanged.
#pragma once

namespace fp4lab::exp {

/// `fp4lab quantize CKPT --recipe SPEC|--recipe-map FILE --out OUT.safetensors [--include GLOB]...
/// [--exclude GLOB]... [--tensors GLOB] [--swizzle] [--threads N] [--allow-nonfinite] [--quiet]`,
/// argv[0] being "quantize". Returns the exit
/// status (0 done, 1 failed, 2 bad usage); messages go to stderr; a failure leaves no output.
int run_quantize_command(int argc, char** argv);

/// `fp4lab dequantize IN.safetensors --out OUT.safetensors [--dtype f32|bf16] [--threads N]
/// [--quiet]`, argv[0] being "dequantize": every tensor back to its original shape, pass-through
/// tensors as stored.
int run_dequantize_command(int argc, char** argv);

}  // namespace fp4lab::exp
