"""The shared examples in ../contracts/examples must mean the same thing here and in the gateway."""

import json
from pathlib import Path

import pytest

from tests.conftest import examples
from worker.contract import Contract


def _check(contract: Contract, path: Path) -> list[str]:
    message = json.loads(path.read_text(encoding="utf-8"))
    if path.name.startswith("job-"):
        return contract.job_problems(message)
    assert path.name.startswith("event-"), f"{path.name}: name examples job-* or event-*"
    return contract.event_problems(message)


@pytest.mark.parametrize("path", examples("valid"), ids=lambda p: p.name)
def test_valid_examples_pass(contract: Contract, path: Path) -> None:
    assert _check(contract, path) == []


@pytest.mark.parametrize("path", examples("invalid"), ids=lambda p: p.name)
def test_invalid_examples_fail(contract: Contract, path: Path) -> None:
    assert _check(contract, path) != []


def test_there_are_examples_of_both_kinds() -> None:
    names = [p.name for p in examples("valid") + examples("invalid")]
    assert any(n.startswith("job-") for n in names)
    assert any(n.startswith("event-") for n in names)
