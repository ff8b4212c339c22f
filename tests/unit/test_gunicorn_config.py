"""gunicorn.conf.py as gunicorn itself loads it (gunicorn.app.base's loader into a gunicorn Config)."""

from __future__ import annotations

from pathlib import Path

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
