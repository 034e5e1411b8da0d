import math

import pytest

from worker.tasks import TaskError, compute_stats


def test_statistics_of_a_list() -> None:
    stats = compute_stats([3, 1, 4, 1, 5, 9, 2, 6])
    assert stats["count"] == 8
    assert stats["sum"] == 31
    assert stats["mean"] == pytest.approx(3.875)
    assert stats["median"] == pytest.approx(3.5)
    assert stats["std"] == pytest.approx(
        math.sqrt(sum((x - 3.875) ** 2 for x in [3, 1, 4, 1, 5, 9, 2, 6]) / 8)
    )
    assert (stats["min"], stats["max"]) == (1, 9)


def test_single_value() -> None:
    assert compute_stats([2.5]) == {
        "count": 1,
        "sum": 2.5,
        "mean": 2.5,
        "median": 2.5,
        "std": 0.0,
        "min": 2.5,
        "max": 2.5,
    }


def test_results_are_plain_json_numbers() -> None:
    stats = compute_stats([1, 2])
    assert all(type(value) in (int, float) for value in stats.values())


def test_empty_input_is_an_error() -> None:
    with pytest.raises(TaskError, match="non-empty"):
        compute_stats([])


def test_overflow_is_an_error_not_inf() -> None:
    with pytest.raises(TaskError, match="overflow"):
        compute_stats([1e308, 1e308])
