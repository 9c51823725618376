"""The one list of services (services/common/topology.py) against everything that names
them: settings, docker-compose.yml and the Kubernetes manifest."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.common import topology
from services.common.config import CommonSettings

ROOT = Path(__file__).resolve().parents[2]


def test_names_are_unique_and_peers_known() -> None:
    assert len(set(topology.NAMES)) == len(topology.NAMES)
    assert len(set(topology.DEFAULT_PORTS.values())) == len(topology.NAMES)
    for spec in topology.SERVICES:
        assert set(spec.calls) <= set(topology.NAMES), spec.name
        assert spec.name not in spec.calls


@pytest.mark.parametrize("spec", topology.SERVICES, ids=lambda spec: spec.name)
def test_settings_defaults_match(spec: topology.ServiceSpec) -> None:
    common = CommonSettings()
    assert getattr(common, f"{spec.name}_addr") == spec.default_addr
    config = importlib.import_module(f"{spec.module}.config")
    settings = config.Settings()
    assert settings.grpc_port == spec.grpc_port
    assert settings.model_config["env_prefix"] == f"ASCENT_{spec.name.upper()}_"
    assert importlib.util.find_spec(f"{spec.module}.__main__") is not None


def test_every_address_setting_is_a_service() -> None:
    fields = {name for name in CommonSettings.model_fields if name.endswith("_addr")}
    assert fields == {f"{name}_addr" for name in topology.NAMES}


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_compose_runs_every_service_with_every_address() -> None:
    services = compose()["services"]
    for spec in topology.SERVICES:
        assert spec.name in services, spec.name
        entry = services[spec.name]
        assert entry["command"] == ["python", "-m", spec.module]
        env = entry["environment"]
        # Its own port (the health check reads PORT), reachable from the other containers.
        assert env["PORT"] == str(spec.grpc_port), spec.name
        assert env[f"ASCENT_{spec.name.upper()}_GRPC_HOST"] == "0.0.0.0"
        assert f"ascent_{spec.name}" in env[f"ASCENT_{spec.name.upper()}_DATABASE_URL"]
        for peer in topology.NAMES:
            assert env[topology.service(peer).addr_env] == topology.service(peer).deployed_addr
    gateway = services["gateway"]
    assert set(gateway["depends_on"]) >= set(topology.NAMES)
    for peer in topology.GATEWAY_CALLS:
        assert topology.service(peer).addr_env in gateway["environment"]


def test_postgres_init_creates_every_database() -> None:
    sql = (ROOT / "infra" / "docker" / "postgres-init.sql").read_text()
    for name in (*topology.NAMES, "gateway"):
        assert f"CREATE DATABASE ascent_{name} " in sql, name


def manifests() -> list[dict[str, Any]]:
    text = (ROOT / "infra" / "k8s" / "ascent.yaml").read_text()
    return [doc for doc in yaml.safe_load_all(text) if doc]


def test_k8s_runs_every_service_with_every_address() -> None:
    docs = manifests()
    by_kind: dict[tuple[str, str], dict[str, Any]] = {
        (doc["kind"], doc["metadata"]["name"]): doc for doc in docs
    }
    addresses = by_kind[("ConfigMap", "ascent-addresses")]["data"]
    for spec in topology.SERVICES:
        assert addresses[spec.addr_env] == spec.deployed_addr
    for name in (*topology.NAMES, "gateway"):
        deployment = by_kind.get(("Deployment", name))
        assert deployment is not None, f"no Deployment for {name}"
        service = by_kind.get(("Service", name))
        assert service is not None, f"no Service for {name}"
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert {"configMapRef": {"name": "ascent-addresses"}} in container["envFrom"], name
        if name == "gateway":
            assert container["command"] == ["python", "-m", "gateway"]
            continue
        spec = topology.service(name)
        assert container["command"] == ["python", "-m", spec.module]
        assert container["readinessProbe"] == {"grpc": {"port": spec.grpc_port}}
        assert [p["port"] for p in service["spec"]["ports"]] == [spec.grpc_port]
        env = {item["name"]: item for item in container["env"]}
        assert env[f"ASCENT_{name.upper()}_GRPC_HOST"]["value"] == "0.0.0.0"
        assert f"ASCENT_{name.upper()}_DATABASE_URL" in env
