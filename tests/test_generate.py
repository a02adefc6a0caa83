"""The generator resamples real trips to any size, as partitioned Parquet."""

from __future__ import annotations

import pandas as pd
import pytest

from coursekit import data
from coursekit.data import DataError
from coursekit.generate import generate_taxi


def test_generates_real_rows_in_parquet_files(tmp_path):
    out = generate_taxi(25_000, tmp_path / "taxi", rows_per_file=10_000, seed=1)
    files = sorted(out.glob("*.parquet"))
    assert [f.name for f in files] == [
        "part.00000.parquet",
        "part.00001.parquet",
        "part.00002.parquet",
    ]
    generated = pd.read_parquet(out)
    assert len(generated) == 25_000
    assert list(generated.columns) == ["trip_id", *data.TAXI_COLUMNS]
    sample = data.load_taxi()
    # every generated row is a real trip of the sample, unchanged
    merged = generated.merge(
        sample.reset_index(), on=["trip_id", *data.TAXI_COLUMNS], how="left", indicator=True
    )
    assert (merged["_merge"] == "both").all()
    assert str(generated["tpep_pickup_datetime"].dtype).startswith("datetime64")
    # and it keeps the real distributions, roughly
    assert generated["VendorID"].value_counts(normalize=True)[2] == pytest.approx(
        12_626 / 22_699, abs=0.02
    )


def test_same_arguments_reuse_the_files_and_other_arguments_replace_them(tmp_path):
    out = generate_taxi(1_000, tmp_path / "taxi", rows_per_file=600)
    stamp = (out / "part.00000.parquet").stat().st_mtime_ns
    generate_taxi(1_000, tmp_path / "taxi", rows_per_file=600)
    assert (out / "part.00000.parquet").stat().st_mtime_ns == stamp
    generate_taxi(2_000, tmp_path / "taxi", rows_per_file=600)
    assert len(pd.read_parquet(out)) == 2_000
    assert not (tmp_path / "taxi.partial").exists()


def test_bad_arguments(tmp_path):
    with pytest.raises(DataError, match="n_rows must be a positive whole number"):
        generate_taxi(0, tmp_path / "a")
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(DataError, match="exists and was not made by generate_taxi"):
        generate_taxi(10, foreign)
    assert (foreign / "notes.txt").read_text() == "keep me"
