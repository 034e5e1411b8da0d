"""serve.py reads its address and process count from the environment."""

import pytest

import serve


def test_defaults_bind_loopback_with_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HOST", "PORT", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    cfg = serve.config()
    assert (cfg.host, cfg.port, cfg.workers) == ("127.0.0.1", 8000, 1)
    assert cfg.timeout_graceful_shutdown is not None
    assert cfg.timeout_graceful_shutdown < 10  # SIGTERM must finish well within 10 s


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOST", "0.0.0.0")  # noqa: S104
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    cfg = serve.config()
    assert (cfg.host, cfg.port, cfg.workers) == ("0.0.0.0", 9000, 3)  # noqa: S104
