"""The README's two set-up commands exist, and CI runs exactly the test command."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = (
        'python3 -m pip install -q -e ".[test]" && python3 -m pytest -q -p no:cacheprovider'
        " -n 2 --dist loadfile"
    )
    run_command = "python3 -m pip install -q -e . && layoutopt solve designs/smart_glasses_epop.yaml -o out/smart_glasses"
    assert test_command in readme and test_command in ci
    assert run_command in readme
