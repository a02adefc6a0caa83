"""Larger data sets shaped by the real sample, for scale without a network.

``generate_taxi(n_rows, out_dir)`` draws rows (with replacement) from the shipped 22,699
real trips and writes them as partitioned Parquet, one file per ``rows_per_file`` rows.
Nothing is invented: every generated row is a real trip, so every column keeps the real
distributions, correlations and quirks (negative fares, RatecodeID 99, ...). Memory stays
bounded by one file's worth of rows, so tens of millions of rows fit on a laptop.

The folder is written under a temporary name and renamed when complete; a ``_manifest.json``
records what was asked for, so the same call a second time reuses the files.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .data import DataError, load_taxi

MANIFEST = "_manifest.json"


def generate_taxi(
    n_rows: int,
    out_dir,
    *,
    rows_per_file: int = 1_000_000,
    seed: int = 0,
    data_dir=None,
    progressbar: bool = False,
) -> Path:
    """Write ``n_rows`` trips resampled from the real sample to ``out_dir/part.NNNNN.parquet``."""
    if not isinstance(n_rows, (int, np.integer)) or n_rows < 1:
        raise DataError(f"n_rows must be a positive whole number, not {n_rows!r}")
    if not isinstance(rows_per_file, (int, np.integer)) or rows_per_file < 1:
        raise DataError(f"rows_per_file must be a positive whole number, not {rows_per_file!r}")
    out_dir = Path(out_dir)
    wanted = {
        "kind": "taxi",
        "n_rows": int(n_rows),
        "rows_per_file": int(rows_per_file),
        "seed": int(seed),
        "source": "yellow_tripdata_2017_sample.csv",
    }
    manifest = out_dir / MANIFEST
    if manifest.exists() and json.loads(manifest.read_text()) == wanted:
        return out_dir  # already generated with the same arguments
    if out_dir.exists() and any(out_dir.iterdir()):
        if not manifest.exists():
            raise DataError(
                f"{out_dir}: exists and was not made by generate_taxi; choose another folder"
            )
        shutil.rmtree(out_dir)  # made by us with other arguments: replace it

    sample = load_taxi("sample", data_dir=data_dir).reset_index()
    table = pa.Table.from_pandas(sample, preserve_index=False)
    rng = np.random.default_rng(seed)
    tmp = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    n_files = -(-int(n_rows) // int(rows_per_file))
    steps = range(n_files)
    if progressbar:
        from tqdm.auto import tqdm

        steps = tqdm(steps, desc=f"generating {n_rows:,} rows", unit="file")
    for i in steps:
        size = min(rows_per_file, n_rows - i * rows_per_file)
        rows = rng.integers(0, table.num_rows, size=size)
        pq.write_table(table.take(rows), tmp / f"part.{i:05d}.parquet")
    (tmp / MANIFEST).write_text(json.dumps(wanted, indent=1))
    if out_dir.exists():
        out_dir.rmdir()  # empty, checked above
    tmp.rename(out_dir)
    return out_dir
