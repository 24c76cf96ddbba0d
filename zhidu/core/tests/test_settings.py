"""Settings fail loudly on bad values; production refuses to start without SECRET_KEY and passes check --deploy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from zhidu import settings as s

ROOT = Path(__file__).resolve().parents[3]


def run_manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECRET_KEY", "DATABASE_URL", "ZHIDU_", "DEBUG", "DJANGO_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_env_bool_rejects_garbage(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(Exception, match="X_FLAG"):
        s.env_bool("X_FLAG")
    monkeypatch.setenv("X_FLAG", "on")
    assert s.env_bool("X_FLAG") is True


def test_env_int_rejects_garbage(monkeypatch):
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(Exception, match="X_INT"):
        s.env_int("X_INT", 1)


def test_env_secret_file(monkeypatch, tmp_path):
    f = tmp_path / "secret"
    f.write_text("from-file\n")
    monkeypatch.setenv("X_SECRET_FILE", str(f))
    assert s.env_secret("X_SECRET") == "from-file"


def test_production_refuses_without_secret_key():
    result = run_manage({"ZHIDU_ENV": "production", "ALLOWED_HOSTS": "zhidu.example.com"}, "check")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_passes_check_deploy():
    key = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"
    result = run_manage(
        {"ZHIDU_ENV": "production", "SECRET_KEY": key, "ALLOWED_HOSTS": "zhidu.example.com"},
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_bad_zhidu_env_refused():
    result = run_manage({"ZHIDU_ENV": "staging"}, "check")
    assert result.returncode != 0 and "ZHIDU_ENV" in result.stderr
