"""Bad inputs raise ValueError/TypeError with the CLI's message, and none of them crashes the
interpreter."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import fp4lab
from conftest import sample


def cli_error(cli, *args) -> str:
    p = cli(*args, check=False)
    assert p.returncode != 0
    # "fp4lab: error: MSG" or "fp4lab quantize: error: MSG"
    line = [l for l in p.stderr.splitlines() if l.startswith("fp4lab") and ": error: " in l][0]
    return line.split(": error: ", 1)[1]


@pytest.mark.parametrize("spec", ["nvfp4:tee", "fp5", "mxfp4:rceil:bs=7", "nvfp4:te:seed=3", "int4:sym:asym"])
def test_bad_recipe_raises_value_error_with_the_cli_message(cli, tmp_path, spec):
    np.save(tmp_path / "x.npy", sample((4, 32)))
    message = cli_error(cli, "quantize", tmp_path / "x.npy", "--recipe", spec, "--out", tmp_path / "q.safetensors")
    for call in (lambda: fp4lab.parse_recipe(spec), lambda: fp4lab.quantize(sample((4, 32)), spec),
                 lambda: fp4lab.fake_quantize(sample((4, 32)), spec)):
        with pytest.raises(ValueError) as e:
            call()
        assert str(e.value) == message


def test_bad_experiment_parameter_raises_with_the_cli_message(cli):
    message = cli_error(cli, "compare", "--rows", "0", "--quiet")
    with pytest.raises(ValueError) as e:
        fp4lab.run("compare", rows=0)
    assert str(e.value) == message
    with pytest.raises(ValueError, match="unknown experiment 'nope'"):
        fp4lab.run("nope")


@pytest.mark.parametrize("x", [np.zeros((4, 32), np.float64), np.zeros((4, 32), np.int32),
                               np.zeros((4, 32), np.uint8), np.zeros((4, 32), np.complex64)])
def test_bad_dtype_raises_type_error(x):
    with pytest.raises(TypeError, match="float32, float16 or bfloat16"):
        fp4lab.quantize(x, "nvfp4:te")
    with pytest.raises(TypeError):
        fp4lab.to_e2m1(x)


def test_bad_arguments_raise():
    x = sample((4, 32))
    with pytest.raises(ValueError):
        fp4lab.quantize(np.zeros((0, 32), np.float32), "nvfp4:te")
    with pytest.raises(ValueError, match="layout"):
        fp4lab.quantize(x, "nvfp4:te", layout="columns")
    with pytest.raises(ValueError, match="dtype"):
        fp4lab.fake_quantize(x, "nvfp4:te", "f8")
    with pytest.raises(TypeError):
        fp4lab.quantize(x, 42)
    with pytest.raises(TypeError):
        fp4lab.dequantize(x)
    with pytest.raises(ValueError, match="rounding"):
        fp4lab.to_e2m1(x, rounding="sideways")
    with pytest.raises(ValueError, match="unknown element type"):
        fp4lab.to_element(x, "e9m9")
    with pytest.raises(ValueError, match="threads"):
        fp4lab.run("compare", rows=16, cols=16, threads=-1)


def test_cuda_without_cuda_says_so():
    if fp4lab.cuda_available():
        pytest.skip("this build has CUDA")
    from fp4lab import _cuda
    with pytest.raises(RuntimeError, match="CUDA is not compiled in"):
        _cuda.quantize(None, "nvfp4:te", "row_major")


def test_nothing_crashes_the_interpreter():
    # every bad call in a fresh interpreter; it must get to the end and exit 0
    code = textwrap.dedent("""
        import numpy as np, fp4lab
        bad = [lambda: fp4lab.quantize(np.zeros((0,), np.float32), "nvfp4:te"),
               lambda: fp4lab.quantize(np.float32(1.0), "nvfp4:te"),
               lambda: fp4lab.quantize(np.zeros((3, 0, 5), np.float32), "nvfp4:te"),
               lambda: fp4lab.quantize(np.full((4, 32), np.nan, np.float32), "nvfp4:te"),
               lambda: fp4lab.quantize(np.full((4, 32), np.inf, np.float32), "mxfp4:floor"),
               lambda: fp4lab.quantize(np.zeros((4, 32), np.float64), "nvfp4:te"),
               lambda: fp4lab.quantize(None, "nvfp4:te"),
               lambda: fp4lab.quantize("text", "nvfp4:te"),
               lambda: fp4lab.quantize(np.zeros((4, 32), np.float32), "nvfp4:te:bs=1000000"),
               lambda: fp4lab.quantize(np.zeros((4, 32), np.float32), "nvfp4:te", threads=-5),
               lambda: fp4lab.fake_quantize(np.zeros((4, 32), np.float32), ""),
               lambda: fp4lab.dequantize(None),
               lambda: fp4lab.from_element(np.zeros(4, np.uint8)),
               lambda: fp4lab.from_element(np.zeros((4, 4), np.uint8)[:, ::2], "e2m1"),
               lambda: fp4lab.run("compare", rows="many"),
               lambda: fp4lab.run("compare", unknown_key=1),
               lambda: fp4lab.run("sweep", recipes="nvfp4:bad"),
               lambda: fp4lab._fp4lab._quantize(np.zeros(4, np.float32), "bf16", "nvfp4:te", "row_major", False, 0),
               lambda: fp4lab._fp4lab._run("compare", "not json")]
        for f in bad:
            try:
                f()
            except (ValueError, TypeError, RuntimeError):
                pass
        print("survived")
    """)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "survived" in p.stdout
