"""The message contract shared with the gateway: JSON Schemas in the project's contracts/."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

JOB_SCHEMA = "job.v1.schema.json"
EVENT_SCHEMA = "event.v1.schema.json"


class ContractError(ValueError):
    """A message does not match its schema; `problems` lists every violation."""

    def __init__(self, what: str, problems: list[str]) -> None:
        super().__init__(f"invalid {what}: " + "; ".join(problems))
        self.problems = problems


def _validator(path: Path) -> Draft202012Validator:
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _problems(validator: Draft202012Validator, message: Any) -> list[str]:
    errors = sorted(validator.iter_errors(message), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in errors]


@dataclass(frozen=True)
class Contract:
    job: Draft202012Validator
    event: Draft202012Validator

    @classmethod
    def load(cls, directory: Path) -> "Contract":
        return cls(
            job=_validator(directory / JOB_SCHEMA), event=_validator(directory / EVENT_SCHEMA)
        )

    def job_problems(self, message: Any) -> list[str]:
        return _problems(self.job, message)

    def event_problems(self, message: Any) -> list[str]:
        return _problems(self.event, message)

    def check_event(self, event: dict[str, Any]) -> None:
        problems = self.event_problems(event)
        if problems:
            raise ContractError("event", problems)
