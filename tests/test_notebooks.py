"""Every notebook in notebooks/ runs from a clean kernel without error, and is committed
with its outputs stripped (so diffs show code, not pictures)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT_S = 120  # one cell; each notebook as a whole takes well under a minute
KERNEL = "python3"


def test_the_notebooks_are_there() -> None:
    names = {p.stem for p in NOTEBOOKS}
    assert {
        "01_smart_glasses_epop",
        "02_family_tradeoffs",
        "03_design_space",
        "04_hbm_mrmuf_vs_tcncf",
        "05_cmc_edge_ai",
    } <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_stripped(path: Path) -> None:
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    for cell in book.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: cell {cell.id} has outputs; strip them"
            assert cell.execution_count is None, f"{path.name}: cell {cell.id} was run"


@pytest.fixture(scope="session")
def kernel_env() -> dict[str, str]:
    """The kernel's environment: this checkout importable, no display, no GUI backend.

    The kernel is a separate process; ``pythonpath`` in pytest's settings does not reach it.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:  # ipykernel ships one in sys.prefix; install it for this user if not
        from ipykernel import kernelspec

        kernelspec.install(user=True)
    path = os.environ.get("PYTHONPATH", "")
    return {
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), path) if p),
        "MPLBACKEND": "Agg",
        "LAYOUTOPT_PLAIN": "1",  # the notebooks' controls run as plain cells (no widget front end)
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # debugpy's frozen-modules warning
    }


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_clean(
    path: Path, kernel_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from nbclient import NotebookClient

    for name, value in kernel_env.items():
        monkeypatch.setenv(name, value)
    book = nbformat.read(path, as_version=4)
    client = NotebookClient(
        book,
        timeout=CELL_TIMEOUT_S,
        kernel_name=KERNEL,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},  # the notebooks' working dir
        allow_errors=False,  # the first error raises CellExecutionError with the traceback
    )
    started = time.perf_counter()
    client.execute()
    elapsed_s = time.perf_counter() - started
    # The committed file is untouched: ``book`` is a copy in memory.
    errors = [
        out
        for cell in book.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
        or (out.output_type == "stream" and out.get("name") == "stderr")
    ]
    assert not errors, f"{path.name}: {errors[0]}"
    print(f"{path.name}: {elapsed_s:.1f} s")
