"""docker-compose.yml (and its secured variant) parse with Docker Compose and hold what the README promises.

Compose is found as `docker-compose` (Debian's package) or `docker compose`; without either the
test is skipped with a reason, unless MIZAN_REQUIRE_COMPOSE=1 (set by .ci/run, which installs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import yaml

from tests.conftest import REPO

COMPOSE = REPO / "docker-compose.yml"
SECURE = REPO / "docker-compose.secure.yml"


def _compose() -> list[str]:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    reason = "needs docker-compose (apt-get install docker-compose) or the docker compose plugin"
    if os.environ.get("MIZAN_REQUIRE_COMPOSE") == "1":
        pytest.fail(f"{reason} (MIZAN_REQUIRE_COMPOSE=1)")
    pytest.skip(reason)


def _config(*files: str, env: dict[str, str] | None = None) -> dict:
    args = [arg for f in files for arg in ("-f", f)]
    out = subprocess.run(
        [*_compose(), *args, "config"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return yaml.safe_load(out.stdout)


def test_the_compose_file_is_valid_and_safe_by_default() -> None:
    config = _config(str(COMPOSE))
    search, app = config["services"]["opensearch"], config["services"]["app"]
    image = search["image"]
    assert image.startswith("opensearchproject/opensearch:") and image.split(":")[1][0].isdigit()  # pinned
    for service in (search, app):
        assert service["healthcheck"]["test"]
        for port in service["ports"]:
            host_ip = port["host_ip"] if isinstance(port, dict) else str(port).split(":")[0]
            assert host_ip == "127.0.0.1", port  # never published on every interface
    assert "opensearch-data" in config["volumes"]
    assert any(_source(v) == "opensearch-data" for v in search["volumes"])
    assert app["depends_on"]["opensearch"]["condition"] == "service_healthy"
    assert app["build"]["context"] and app["environment"]["MIZAN_BACKEND"] == "opensearch"
    assert "serve" in app["command"] and "--backend" in app["command"]
    env = search["environment"]
    assert env["discovery.type"] == "single-node" and env["DISABLE_SECURITY_PLUGIN"] == "true"


def test_the_secured_variant_turns_security_and_tls_on() -> None:
    with pytest.raises(AssertionError, match="OPENSEARCH_INITIAL_ADMIN_PASSWORD"):
        _config(str(COMPOSE), str(SECURE), env={"OPENSEARCH_INITIAL_ADMIN_PASSWORD": ""})
    config = _config(str(COMPOSE), str(SECURE), env={"OPENSEARCH_INITIAL_ADMIN_PASSWORD": "Str0ng!Passw0rd"})
    search, app = config["services"]["opensearch"], config["services"]["app"]
    assert search["environment"]["DISABLE_SECURITY_PLUGIN"] == "false"
    assert app["environment"]["MIZAN_OPENSEARCH_URL"].startswith("https://")
    assert app["environment"]["MIZAN_OPENSEARCH_PASSWORD"] == "Str0ng!Passw0rd"


def test_the_dockerfile_serves_with_the_production_server() -> None:
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "torch==2.13.0" in text and "download.pytorch.org/whl/cpu" in text  # no multi-GB CUDA build
    assert 'CMD ["mizan", "serve"' in text and "HEALTHCHECK" in text and "USER mizan" in text


def _source(volume: str | dict) -> str:
    """A volume's source, in either of the forms compose versions print."""
    return volume["source"] if isinstance(volume, dict) else volume.split(":")[0]
