"""gunicorn.conf.py as gunicorn itself loads it (gunicorn.app.base's loader into a gunicorn Config)."""

from __future__ import annotations

import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

from gunicorn.app.base import Application
from gunicorn.config import Config

ROOT = Path(__file__).resolve().parents[2]


class _Loader(Application):
    """gunicorn's own config-file loading, without parsing a command line or loading an app."""

    def __init__(self) -> None:
        self.cfg = Config()

    def load(self) -> None:  # pragma: no cover - never serves
        raise NotImplementedError


def loaded(monkeypatch, port: int) -> Config:
    monkeypatch.setenv("PORT", str(port))
    loader = _Loader()
    loader.load_config_from_file(str(ROOT / "gunicorn.conf.py"))
    return loader.cfg


def test_each_service_has_its_own_control_socket_in_this_checkouts_var(monkeypatch):
    serve, bench = loaded(monkeypatch, 8000), loaded(monkeypatch, 8100)
    for cfg in (serve, bench):
        assert not cfg.control_socket_disable
        assert Path(cfg.control_socket).parent == ROOT / "var" / "run"
    assert serve.control_socket != bench.control_socket
    assert serve.control_socket != Config().control_socket  # not the user-wide ~/.gunicorn/gunicorn.ctl


def _worker() -> SimpleNamespace:
    return SimpleNamespace(alive=True, log=logging.getLogger("test.gunicorn"))


def test_a_worker_past_the_memory_ceiling_finishes_its_requests_and_is_replaced(monkeypatch):
    monkeypatch.setenv("GUNICORN_MAX_WORKER_MB", "1")  # every process is bigger than 1 MB
    worker = _worker()
    loaded(monkeypatch, 8000).post_request(worker, None, {}, None)
    assert worker.alive is False


def test_a_worker_under_the_memory_ceiling_keeps_serving(monkeypatch):
    monkeypatch.setenv("GUNICORN_MAX_WORKER_MB", str(1024 * 1024))
    worker = _worker()
    loaded(monkeypatch, 8000).post_request(worker, None, {}, None)
    assert worker.alive is True


def test_the_memory_ceiling_is_above_a_warm_worker_at_a_million_people(monkeypatch):
    monkeypatch.delenv("GUNICORN_MAX_WORKER_MB", raising=False)
    module = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert 290 < module["max_worker_mb"] < 1307  # warm at a million: ~290 MB; a grown worker kept 1 307 MB
