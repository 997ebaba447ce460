"""fp4lab.run returns the CLI's Result: same tables, histograms and provenance as
`fp4lab <experiment> --json`, with numpy arrays for the numbers."""

import json

import numpy as np

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
