"""fp4lab.run returns the CLI's Result: same tables, histograms and provenance as
`fp4lab <experiment> --json`, with numpy arrays for the numbers."""

import json

import numpy as np
import pytest

import fp4lab

PARAMS = {"rows": 64, "cols": 128, "recipes": "nvfp4:te,mxfp4:rceil", "bins": 21, "seed": 3}


def cli_result(cli, experiment, params):
    args = [experiment, "--json", "--quiet"]
    for k, v in params.items():
        args += [f"--{k}", v]
    return json.loads(cli(*args).stdout)


def test_compare_is_the_cli_result(cli):
    mine = fp4lab.run("compare", **PARAMS)
    theirs = cli_result(cli, "compare", PARAMS)
    assert mine["provenance"] == theirs["provenance"]
    assert mine["scalars"] == theirs["scalars"]
    assert [t["rows"] for t in mine["tables"]] == [t["rows"] for t in theirs["tables"]]
    for h, g in zip(mine["histograms"], theirs["histograms"]):
        assert isinstance(h["edges"], np.ndarray) and h["edges"].tolist() == g["edges"]
        for s, t in zip(h["series"], g["series"]):
            assert s["counts"].tolist() == t["counts"]


def test_result_carries_provenance_and_numpy_tables():
    r = fp4lab.run("compare", **PARAMS)
    p = r["provenance"]
    assert p["experiment"] == "compare" and p["seed"] == 3
    assert p["recipes"] == [fp4lab.parse_recipe(s).spec for s in PARAMS["recipes"].split(",")]
    assert p["version"] == fp4lab.__version__ and p["input_hash"]
    table = r["tables"][0]
    assert set(table["columns_data"]) == set(table["columns"])
    numeric = [c for c, v in table["columns_data"].items() if v.dtype == np.float64]
    assert numeric and all(len(table["columns_data"][c]) == len(table["rows"]) for c in numeric)


def test_every_experiment_is_listed_with_its_parameters():
    ids = fp4lab.experiments()
    assert "compare" in ids and "sweep" in ids
    info = fp4lab.experiment_info("compare")
    assert info["defaults"]["rows"] == 1024 and "rows" in info["help"]


def test_run_is_deterministic():
    a, b = fp4lab.run("compare", **PARAMS), fp4lab.run("compare", **PARAMS)
    assert a["scalars"] == b["scalars"] and a["provenance"] == b["provenance"]


def _fnv1a_hex(data: bytes) -> str:
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def test_tokenize_gives_the_tokens_perplexity_scores():
    """fp4lab.tokenize(load_text(novel)) are the ids the perplexity experiment scores: its
    provenance hashes the scored tokens (FNV-1a of the int32 bytes), checked on one short window."""
    try:
        path = fp4lab.model_path("smollm2")
        text = fp4lab.load_text("prideprejudice")
    except ValueError as e:
        pytest.skip(f"model data not fetched (data/fetch_model_data.py): {e}")
    ids = fp4lab.tokenize(text)
    assert ids.dtype == np.int32 and ids.ndim == 1 and len(ids) > 100000
    assert ids.min() >= 0 and ids.max() < 49152
    r = fp4lab.run("perplexity", model=path, text="prideprejudice", offset=1000, windows=1, context=6, recipes="",
                   modes="w4a16")
    assert r["provenance"]["input_hash"] == _fnv1a_hex(ids[1000:1006].tobytes())
    assert fp4lab.tokenize("").size == 0
    with pytest.raises(ValueError, match="neither a novel"):
        fp4lab.load_text("no-such-novel")
