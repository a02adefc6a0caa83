"""The shipped samples are intact and hold the facts the notebooks rely on; bad files fail clearly."""

from __future__ import annotations

import hashlib
import shutil

import pandas as pd
import pytest

from coursekit import REPO_ROOT, data
from coursekit.data import DataError

from .http_files import serve_folder


def test_shipped_files_match_their_checksums_and_the_data_readme():
    readme = (REPO_ROOT / "data" / "README.md").read_text()
    for name, sample in data.SAMPLES.items():
        path = data.sample_path(name)  # raises if missing, truncated or altered
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sample.sha256
        assert sample.sha256 in readme and sample.filename in readme


def test_taxi_sample_facts():
    taxi = data.load_taxi()
    assert len(taxi) == 22_699
    assert list(taxi.columns) == data.TAXI_COLUMNS
    assert taxi["VendorID"].value_counts().sort_index().to_dict() == {1: 10_073, 2: 12_626}
    assert int(taxi.isna().sum().sum()) == 0
    assert taxi["tpep_pickup_datetime"].dt.year.unique().tolist() == [2017]
    assert sorted(taxi["tpep_pickup_datetime"].dt.month.unique()) == list(range(1, 13))
    # the real data's quirks, which notebook 02 must find
    assert (taxi["fare_amount"] < 0).sum() > 0
    assert (taxi["RatecodeID"] == 99).sum() > 0
    assert taxi["fare_amount"].max() == pytest.approx(999.99)
    assert taxi[["fare_amount", "trip_distance"]].corr().iloc[0, 1] > 0


def test_review_samples_facts():
    reviews = data.load_reviews()
    assert len(reviews) == 6_459
    assert reviews["label"].value_counts().to_dict() == {2: 3_322, 1: 3_137}
    assert reviews["text"].str.len().min() > 0
    assert not reviews.duplicated(["title", "text"]).any()  # whole reviews are unique
    assert len(data.load_reviews(n=100)) == 100
    uci = data.load_uci_sentences()
    assert len(uci) == 1_000 and uci["label"].value_counts().to_dict() == {0: 500, 1: 500}


@pytest.fixture
def data_copy(tmp_path):
    for sample in data.SAMPLES.values():
        shutil.copy(REPO_ROOT / "data" / sample.filename, tmp_path / sample.filename)
    return tmp_path


def test_missing_file(data_copy):
    (data_copy / "yellow_tripdata_2017_sample.csv").unlink()
    with pytest.raises(
        DataError,
        match=r"yellow_tripdata_2017_sample.csv: the shipped data file is missing.*git checkout",
    ):
        data.load_taxi(data_dir=data_copy)


def test_truncated_file(data_copy):
    path = data_copy / "amazon_polarity_sample.ft.txt"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(
        DataError,
        match=r"amazon_polarity_sample.ft.txt: the file is truncated \(1,000 of 2,918,544 bytes\)",
    ):
        data.load_reviews(data_dir=data_copy)


def test_corrupt_file(data_copy):
    path = data_copy / "yellow_tripdata_2017_sample.csv"
    raw = bytearray(path.read_bytes())
    raw[5000] = ord("X") if raw[5000] != ord("X") else ord("Y")
    path.write_bytes(bytes(raw))
    with pytest.raises(DataError, match=r"checksum mismatch .*corrupt or was edited"):
        data.sample_path("taxi", data_copy)


def test_wrong_column_set(tmp_path):
    taxi = pd.read_csv(REPO_ROOT / "data" / "yellow_tripdata_2017_sample.csv", nrows=5)
    bad = tmp_path / "taxi.csv"
    taxi.drop(columns=["tip_amount"]).rename(columns={"fare_amount": "fare"}).to_csv(
        bad, index=False
    )
    with pytest.raises(
        DataError,
        match=r"taxi.csv: wrong column set \(missing \['fare_amount', 'tip_amount'\], unexpected \['fare'\]\)",
    ):
        data.read_taxi_csv(bad)


@pytest.mark.parametrize(
    "line, message",
    [
        ("__label__3 Title: some text", r"line 1: label 3 is not one of \[1, 2\]"),
        ("__label__2 Title: ", r"line 1: empty review text"),
        ("positive Title: text", r"line 1: does not start with __label__N"),
        (42, r"line 1: not text \(int\)"),
    ],
)
def test_bad_review_lines(line, message):
    with pytest.raises(DataError, match=message):
        data.parse_fasttext([line], "reviews.txt")


def test_bad_arguments():
    with pytest.raises(DataError, match="unknown taxi source 'everything'"):
        data.load_taxi("everything")
    with pytest.raises(DataError, match="n must be a positive whole number"):
        data.load_reviews(n=0)
    with pytest.raises(DataError, match="month 13 is not a month of 2017"):
        data.fetch_taxi_months([13])


# --- downloads, against a local HTTP server (no network needed) -----------------------


@pytest.fixture
def http_folder(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    with serve_folder(served) as url:
        yield served, url


def test_download_records_checksum_then_verifies_and_repairs(http_folder, tmp_path):
    served, base = http_folder
    (served / "file.bin").write_bytes(b"real data " * 1000)
    cache = tmp_path / "cache"
    path = data.fetch(f"{base}/file.bin", "file.bin", cache_dir=cache, progressbar=False)
    recorded = data._recorded_hashes(cache)["file.bin"]
    assert recorded == {"sha256": hashlib.sha256(b"real data " * 1000).hexdigest(), "size": 10_000}
    # a corrupted cached copy is detected against the record and fetched again
    (cache / "file.bin").write_bytes(b"garbage")
    data.fetch(f"{base}/file.bin", "file.bin", cache_dir=cache, progressbar=False)
    assert (cache / "file.bin").read_bytes() == b"real data " * 1000
    # the publisher changed the file: a clear error, and the cache keeps no wrong file
    (served / "file.bin").write_bytes(b"other data")
    (cache / "file.bin").unlink()
    with pytest.raises(DataError, match="does not match its recorded checksum"):
        data.fetch(f"{base}/file.bin", "file.bin", cache_dir=cache, progressbar=False)
    assert not (cache / "file.bin").exists()
    assert path.endswith("file.bin")


def test_failed_download_is_one_clear_error_and_leaves_no_file(http_folder, tmp_path):
    _, base = http_folder
    cache = tmp_path / "cache"
    with pytest.raises(DataError, match=r"missing.parquet: download failed .*source='sample'"):
        data.fetch(f"{base}/missing.parquet", "missing.parquet", cache_dir=cache, progressbar=False)
    assert [p.name for p in cache.iterdir()] == []


@pytest.mark.parametrize(
    "change, message",
    [
        ({"label": 0}, r"reviews.csv, row 2: label 0 is not one of \[1, 2\]"),
        ({"text": "   "}, r"reviews.csv, row 2: empty review text"),
        ({"text": None}, r"reviews.csv, row 2: text is not text \(None\)"),
        ({"title": 3.5}, r"reviews.csv, row 2: title is not text \(3.5\)"),
    ],
)
def test_check_reviews_names_the_bad_row(change, message):
    frame = data.load_reviews(n=5).astype(object)
    data.check_reviews(frame, "reviews.csv")  # the real rows pass
    for column, value in change.items():
        frame.loc[2, column] = value
    with pytest.raises(DataError, match=message):
        data.check_reviews(frame, "reviews.csv")
