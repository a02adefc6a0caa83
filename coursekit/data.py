"""The course's data: shipped samples (offline, checked), full public data sets (on request).

* ``sample_path(name)`` returns a shipped file from ``data/`` after checking its sha256.
* ``load_taxi`` / ``load_reviews`` / ``load_uci_sentences`` return pandas frames of the
  sample, or of the full public data when ``source="full"`` and a network is there.
* Full downloads go through pooch: progress bar, cache, atomic writes (a file appears in the
  cache only once it is complete), file-level resume (a rerun fetches only what is missing),
  and checksums recorded on first download and verified on every later use.

Every problem with a file raises one ``DataError`` that names the file and what to do.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import REPO_ROOT

DATA_DIR = REPO_ROOT / "data"
CACHE_ENV = "COURSE_CACHE_DIR"


class DataError(Exception):
    """A data file is missing, truncated, corrupt, unverifiable or of the wrong shape."""


@dataclass(frozen=True)
class Sample:
    filename: str
    sha256: str
    size: int
    rows: int | None


#: The shipped samples (see data/README.md for provenance and citations).
SAMPLES = {
    "taxi": Sample(
        "yellow_tripdata_2017_sample.csv",
        "252200044ec1677a763eb3386333a3a1737daa608110639cb13b197fa1324b6d",
        2301029,
        22699,
    ),
    "reviews": Sample(
        "amazon_polarity_sample.ft.txt",
        "26a281574ab1d8ce382af5f1cedd5cbf32743d07401121f0e61c9c7befa49dcb",
        2918544,
        6459,
    ),
    "uci_amazon": Sample(
        "amazon_cells_labelled.txt",
        "47003fc0a0d4840b00e96e715b6189bad09e7443a3da41c4cbe12ffc79f86ae3",
        58226,
        1000,
    ),
    "uci_readme": Sample(
        "uci_sentiment_labelled_sentences_readme.txt",
        "736c26aa54e3614459e50314ece0698051f0923d108ed53938dcb1aa0483bfd4",
        1070,
        None,
    ),
}

# --- NYC taxi ---------------------------------------------------------------------------

#: The 17 TLC columns of the 2017 yellow taxi records, in file order.
TAXI_COLUMNS = [
    "VendorID",
    "tpep_pickup_datetime",
    "tpep_dropoff_datetime",
    "passenger_count",
    "trip_distance",
    "RatecodeID",
    "store_and_fwd_flag",
    "PULocationID",
    "DOLocationID",
    "payment_type",
    "fare_amount",
    "extra",
    "mta_tax",
    "tip_amount",
    "tolls_amount",
    "improvement_surcharge",
    "total_amount",
]
TAXI_DATETIME_COLUMNS = ["tpep_pickup_datetime", "tpep_dropoff_datetime"]
#: How the sample writes timestamps, e.g. ``03/25/2017 8:55:43 AM``.
TAXI_DATETIME_FORMAT = "%m/%d/%Y %I:%M:%S %p"
#: Explicit dtypes: dask infers dtypes from the first block only, so say them up front.
TAXI_DTYPES = {
    "VendorID": "int64",
    "passenger_count": "int64",
    "trip_distance": "float64",
    "RatecodeID": "int64",
    "store_and_fwd_flag": "string",
    "PULocationID": "int64",
    "DOLocationID": "int64",
    "payment_type": "int64",
    "fare_amount": "float64",
    "extra": "float64",
    "mta_tax": "float64",
    "tip_amount": "float64",
    "tolls_amount": "float64",
    "improvement_surcharge": "float64",
    "total_amount": "float64",
}
TAXI_URL = (
    "https://d37ci6vzurychx.cloudfront.net/trip-data/yellow_tripdata_2017-{month:02d}.parquet"
)
#: Published row counts of the monthly 2017 files (the TLC may re-upload: checked, not trusted).
TAXI_PUBLISHED_ROWS = {
    1: 9_710_820,
    2: 9_169_775,
    3: 10_295_441,
    4: 10_047_135,
    5: 10_102_127,
    6: 9_656_993,
    7: 8_588_486,
    8: 8_422_153,
    9: 8_945_421,
    10: 9_768_672,
    11: 9_284_803,
    12: 9_508_501,
}

# --- Reviews ----------------------------------------------------------------------------

REVIEWS_URL = "https://s3.amazonaws.com/fast-ai-nlp/amazon_review_polarity_csv.tgz"
REVIEW_LABELS = {1, 2}  # 1 = negative, 2 = positive


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sample_path(name: str, data_dir: str | os.PathLike | None = None) -> Path:
    """Path of a shipped sample after checking it is there and unaltered (sha256)."""
    if name not in SAMPLES:
        raise DataError(f"unknown sample {name!r}; the shipped samples are {sorted(SAMPLES)}")
    sample = SAMPLES[name]
    path = Path(data_dir or DATA_DIR) / sample.filename
    restore = (
        f"Restore it with `git checkout -- data/{sample.filename}` (or clone the repository again)."
    )
    if not path.is_file():
        raise DataError(f"{path}: the shipped data file is missing. {restore}")
    size = path.stat().st_size
    if size < sample.size:
        raise DataError(
            f"{path}: the file is truncated ({size:,} of {sample.size:,} bytes). {restore}"
        )
    actual = _sha256(path)
    if actual != sample.sha256:
        raise DataError(
            f"{path}: checksum mismatch (sha256 {actual[:16]}…, expected {sample.sha256[:16]}…): "
            f"the file is corrupt or was edited. {restore}"
        )
    return path


def check_columns(path, found, expected) -> None:
    """Raise a DataError naming the missing and unexpected columns, if any."""
    found, expected = list(found), list(expected)
    if found == expected:
        return
    missing = [c for c in expected if c not in found]
    extra = [c for c in found if c not in expected]
    detail = (
        f"missing {missing}, unexpected {extra}" if missing or extra else "columns out of order"
    )
    raise DataError(f"{path}: wrong column set ({detail}); expected {expected}")


def read_taxi_csv(path: str | os.PathLike) -> pd.DataFrame:
    """Read a taxi CSV in the sample's layout with explicit dtypes and parsed timestamps."""
    header = pd.read_csv(path, nrows=0).columns
    check_columns(path, header[1:], TAXI_COLUMNS)
    frame = pd.read_csv(path, index_col=0, dtype=TAXI_DTYPES)
    for column in TAXI_DATETIME_COLUMNS:
        frame[column] = pd.to_datetime(frame[column], format=TAXI_DATETIME_FORMAT)
    frame.index.name = "trip_id"
    return frame


def load_taxi(
    source: str = "sample", *, months=(1,), data_dir=None, cache_dir=None, progressbar: bool = True
) -> pd.DataFrame:
    """The 2017 yellow taxi trips as pandas: the shipped sample, or full months (network)."""
    if source == "sample":
        return read_taxi_csv(sample_path("taxi", data_dir))
    if source == "full":
        paths = fetch_taxi_months(months, cache_dir=cache_dir, progressbar=progressbar)
        return pd.concat([pd.read_parquet(p, columns=TAXI_COLUMNS) for p in paths])
    raise DataError(f"unknown taxi source {source!r}; use 'sample' or 'full'")


# --- Full downloads -----------------------------------------------------------------------


def resolve_cache_dir(path=None) -> Path:
    """Where full downloads are cached: the argument, $COURSE_CACHE_DIR, or the OS cache."""
    import pooch

    return Path(path or os.environ.get(CACHE_ENV) or pooch.os_cache("dask-ml-course"))


def _recorded_hashes(folder: Path) -> dict:
    record = folder / "checksums.json"
    if not record.exists():
        return {}
    try:
        return json.loads(record.read_text())
    except json.JSONDecodeError as err:
        raise DataError(
            f"{record}: unreadable checksum record ({err}); delete it to re-record"
        ) from err


def _record_hash(folder: Path, fname: str, sha: str, size: int) -> None:
    hashes = _recorded_hashes(folder)
    hashes[fname] = {"sha256": sha, "size": size}
    tmp = folder / "checksums.json.tmp"
    tmp.write_text(json.dumps(hashes, indent=1, sort_keys=True))
    tmp.replace(folder / "checksums.json")  # atomic: never a half-written record


def fetch(url: str, fname: str, *, cache_dir=None, progressbar: bool = True, processor=None):
    """Download ``url`` into the cache once; verify it against the recorded checksum after.

    The first download records the file's sha256 and size (the publishers do not publish
    checksums and may re-upload); every later call verifies the cached file against that
    record and downloads it again if it no longer matches. pooch writes to a temporary file
    and moves it into place when complete, so an interrupted download leaves nothing behind.
    """
    import pooch

    folder = resolve_cache_dir(cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    known = _recorded_hashes(folder).get(fname, {}).get("sha256")
    try:
        result = pooch.retrieve(
            url,
            known_hash=f"sha256:{known}" if known else None,
            fname=fname,
            path=folder,
            progressbar=progressbar,
            processor=processor,
        )
    except ValueError as err:  # pooch's hash mismatch after a fresh download
        raise DataError(
            f"{url}: downloaded file does not match its recorded checksum ({err}). "
            f"The publisher may have re-uploaded it: delete {folder / 'checksums.json'} "
            "to accept the new file."
        ) from err
    except Exception as err:  # network errors of every kind
        raise DataError(
            f"{url}: download failed ({type(err).__name__}: {err}). The full data "
            "needs a network; offline, use the shipped sample (source='sample')."
        ) from err
    path = folder / fname
    if not known:
        _record_hash(folder, fname, _sha256(path), path.stat().st_size)
    return result


def fetch_taxi_months(months=range(1, 13), *, cache_dir=None, progressbar=True) -> list[Path]:
    """Download (once) the TLC's 2017 monthly Parquet files; return their local paths."""
    import pyarrow.parquet as pq

    paths = []
    for month in months:
        if month not in TAXI_PUBLISHED_ROWS:
            raise DataError(f"month {month!r} is not a month of 2017 (use 1..12)")
        url = TAXI_URL.format(month=month)
        path = Path(fetch(url, Path(url).name, cache_dir=cache_dir, progressbar=progressbar))
        try:
            rows = pq.read_metadata(path).num_rows
        except Exception as err:
            raise DataError(
                f"{path}: not a readable Parquet file ({err}); delete it and run again "
                "to download it anew"
            ) from err
        if rows != TAXI_PUBLISHED_ROWS[month]:
            warnings.warn(
                f"{path.name}: {rows:,} rows, published count {TAXI_PUBLISHED_ROWS[month]:,} "
                "(the TLC may have re-uploaded the file)",
                stacklevel=2,
            )
        paths.append(path)
    return paths


def fetch_full_reviews(*, cache_dir=None, progressbar=True) -> dict[str, Path]:
    """Download (once) and unpack the full Amazon Review Polarity CSVs: {'train': ..., 'test': ...}."""
    import pooch

    members = ["amazon_review_polarity_csv/train.csv", "amazon_review_polarity_csv/test.csv"]
    files = fetch(
        REVIEWS_URL,
        "amazon_review_polarity_csv.tgz",
        cache_dir=cache_dir,
        progressbar=progressbar,
        processor=pooch.Untar(members=members),
    )
    by_split = {Path(f).stem: Path(f) for f in files}
    return {"train": by_split["train"], "test": by_split["test"]}


# --- Reviews --------------------------------------------------------------------------


def parse_fasttext(lines, path="<lines>") -> pd.DataFrame:
    """Parse ``__label__N title: text`` lines into label / title / text columns."""
    labels, titles, texts = [], [], []
    for number, line in enumerate(lines, start=1):
        if not isinstance(line, str):
            raise DataError(f"{path}, line {number}: not text ({type(line).__name__})")
        head, _, body = line.rstrip("\n").partition(" ")
        if not head.startswith("__label__") or not head[9:].isdigit():
            raise DataError(f"{path}, line {number}: does not start with __label__N")
        label = int(head[9:])
        if label not in REVIEW_LABELS:
            raise DataError(
                f"{path}, line {number}: label {label} is not one of {sorted(REVIEW_LABELS)}"
            )
        title, sep, text = body.partition(": ")
        if not sep:  # no title separator: the whole body is the text
            title, text = "", body
        if not text.strip():
            raise DataError(f"{path}, line {number}: empty review text")
        labels.append(label)
        titles.append(title)
        texts.append(text)
    return pd.DataFrame({"label": labels, "title": titles, "text": texts})


#: How the full data's CSV files (and any CSV in the same shape) are read.
REVIEWS_CSV_OPTIONS = dict(
    header=None,
    names=["label", "title", "text"],
    dtype={"label": "int64", "title": "string", "text": "string"},
    keep_default_na=False,
)


def check_reviews(frame: pd.DataFrame, where="<reviews>", partition_info=None) -> pd.DataFrame:
    """Stop with one DataError on a label outside {1, 2}, a text that is not a string, or an
    empty text; return ``frame`` unchanged, so that ``ddf.map_partitions(check_reviews, path)``
    checks each partition of a Dask frame as it is read (Dask passes ``partition_info``; rows
    are then counted from the start of that partition)."""
    if partition_info is not None:
        where = f"{where}, partition {partition_info['number']}"
    bad = ~frame["label"].isin(REVIEW_LABELS)
    if bad.any():
        row = frame.index[bad.to_numpy()][0]
        label = frame["label"][row]
        label = label.item() if hasattr(label, "item") else label  # NumPy scalar -> plain number
        raise DataError(
            f"{where}, row {row}: label {label!r} is not one of {sorted(REVIEW_LABELS)}"
        )
    for column in ("title", "text"):
        not_text = ~frame[column].map(lambda v: isinstance(v, str), na_action=None).astype(bool)
        if not_text.any():
            row = frame.index[not_text.to_numpy()][0]
            raise DataError(f"{where}, row {row}: {column} is not text ({frame[column][row]!r})")
    empty = frame["text"].str.strip().str.len() == 0
    if empty.any():
        raise DataError(f"{where}, row {frame.index[empty.to_numpy()][0]}: empty review text")
    return frame


def load_reviews(
    source: str = "sample",
    *,
    split: str = "test",
    n: int | None = None,
    data_dir=None,
    cache_dir=None,
    progressbar=True,
) -> pd.DataFrame:
    """Amazon Review Polarity as pandas (label 1 = negative, 2 = positive; title; text)."""
    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 1):
        raise DataError(f"n must be a positive whole number of reviews or None, not {n!r}")
    if source == "sample":
        path = sample_path("reviews", data_dir)
        with open(path, encoding="utf-8") as f:
            frame = parse_fasttext(f, path)
    elif source == "full":
        if split not in ("train", "test"):
            raise DataError(f"split must be 'train' or 'test', not {split!r}")
        path = fetch_full_reviews(cache_dir=cache_dir, progressbar=progressbar)[split]
        frame = check_reviews(pd.read_csv(path, nrows=n, **REVIEWS_CSV_OPTIONS), path)
    else:
        raise DataError(f"unknown reviews source {source!r}; use 'sample' or 'full'")
    return frame.head(n) if n is not None else frame


def load_uci_sentences(data_dir=None) -> pd.DataFrame:
    """UCI Sentiment Labelled Sentences, Amazon part: sentence, label (1 positive, 0 negative)."""
    path = sample_path("uci_amazon", data_dir)
    frame = pd.read_csv(
        path,
        sep="\t",
        header=None,
        names=["sentence", "label"],
        quoting=csv.QUOTE_NONE,
        dtype={"sentence": "string", "label": "int64"},
    )
    if not frame["label"].isin([0, 1]).all():
        raise DataError(f"{path}: labels must be 0 or 1")
    return frame
