"""Sweeps on Dask: the same table as a local run; dead workers, lost schedulers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from sweep_fakes import fake_load_design, fake_solve
from sweep_helpers import space_with_parts, table, write_space

from layoutopt.errors import InfrastructureError
from layoutopt.sweep.cli import EXIT_INFRASTRUCTURE, main_sweep
from layoutopt.sweep.runner import run_sweep

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

FAKE = {"solve_fn": fake_solve, "load_fn": fake_load_design}
REPO = Path(__file__).resolve().parents[1]
NO_NANNY = ("--no-nanny", "--no-dashboard")


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_scheduler_is_an_infrastructure_fault(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    space = write_space(tmp_path)
    monkeypatch.setenv("LAYOUTOPT_SWEEP_SOLVE", "sweep_fakes:fake_solve")
    monkeypatch.setenv("LAYOUTOPT_SWEEP_LOAD", "sweep_fakes:fake_load_design")
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        with pytest.raises(
            InfrastructureError, match=f"connecting to the Dask scheduler at {address}"
        ):
            run_sweep(space, tmp_path / "out", scheduler=address, **FAKE)
        code = main_sweep(space, tmp_path / "out", scheduler=address, quiet=True, report=False)
    assert code == EXIT_INFRASTRUCTURE
    message = " ".join(capsys.readouterr().err.split())
    assert message.startswith(f"error: connecting to the Dask scheduler at {address} failed")
    assert "Fix: start it (dask scheduler) or correct --scheduler" in message
    assert "Traceback" not in message


def test_a_killed_dask_worker_is_a_failed_point_and_a_lost_scheduler_a_fault(
    tmp_path: Path,
) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    env = dict(os.environ)
    env.update(
        PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "tests"), env.get("PYTHONPATH", "")]),
        # Report a task as soon as one worker died running it (the default retries 3 times).
        DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="0",
    )
    cli = [sys.executable, "-m"]
    scheduler = subprocess.Popen(
        [
            *cli,
            "distributed.cli.dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            address[-5:].lstrip(":"),
            "--no-dashboard",
        ],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    # Two workers without nannies: the one a point kills stays dead (no restart to wait
    # for) and the other carries on.
    workers = [
        subprocess.Popen(
            [*cli, "distributed.cli.dask_worker", address, "--nthreads", "1", *NO_NANNY],
            env=env,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        with distributed.Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=60)
            space = space_with_parts(tmp_path, ["lpddr4x_16gb", "sigkill"], ("0.6 mm",))
            summary = run_sweep(space, tmp_path / "killed", scheduler=client, **FAKE)
            assert summary.solved == summary.total == 2 and summary.errors == 1
            df = table(tmp_path / "killed").set_index("part")
            assert df.loc["lpddr4x_16gb", "status"] == "optimal"
            assert "Dask workers solving this point died too often" in df.loc["sigkill", "error"]
            assert "KilledWorker" in df.loc["sigkill", "error"]
        pid_file = tmp_path / "stalled.pid"
        space = space_with_parts(tmp_path, ["lpddr4x_16gb", f"stall@{pid_file}"], ("0.6 mm",))

        def kill_scheduler() -> None:
            while not pid_file.exists():
                time.sleep(0.01)
            scheduler.kill()

        threading.Thread(target=kill_scheduler, daemon=True).start()
        with pytest.raises(InfrastructureError, match="waiting on the Dask scheduler") as err:
            run_sweep(space, tmp_path / "lost", scheduler=address, **FAKE)
        assert "scheduler-connection-lost" in str(err.value)
        assert "finished points are kept" in str(err.value)
    finally:
        for process in [*workers, scheduler]:
            process.kill()
            process.wait()
