"""The same sweep on a Dask cluster gives the same table as a local run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sweep_helpers import table, write_space

from layoutopt.sweep.runner import run_sweep
from layoutopt.sweep.testing import fake_load_design, fake_solve

distributed = pytest.importorskip("distributed")


def test_dask_matches_local(tmp_path: Path) -> None:
    space_file = write_space(tmp_path)
    fake = {"solve_fn": fake_solve, "load_fn": fake_load_design, "warm_start": False}
    run_sweep(space_file, tmp_path / "local", **fake)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        summary = run_sweep(space_file, tmp_path / "dask", scheduler=client, **fake)
        assert summary.solved == summary.total
        # Rerun on the cluster: nothing left to do.
        assert run_sweep(space_file, tmp_path / "dask", scheduler=client, **fake).solved == 0
    pd.testing.assert_frame_equal(table(tmp_path / "local"), table(tmp_path / "dask"))
