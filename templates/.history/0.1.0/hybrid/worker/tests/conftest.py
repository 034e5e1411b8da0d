import json
from pathlib import Path
from typing import Any

import pytest

from worker.config import Settings
from worker.contract import Contract

EXAMPLES = Settings().contracts_dir / "examples"


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / "valid" / name).read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def contract() -> Contract:
    return Contract.load(Settings().contracts_dir)


def examples(kind: str) -> list[Path]:
    return sorted((EXAMPLES / kind).glob("*.json"))
