"""The conda environments (for --sdm conda) pin the same versions as requirements.lock."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def lock_versions() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)$", line.strip())
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def env_pins(path: Path) -> dict[str, str]:
    spec = yaml.safe_load(path.read_text())
    pip = next(d["pip"] for d in spec["dependencies"] if isinstance(d, dict) and "pip" in d)
    return {name.lower(): version for name, version in (p.split("==") for p in pip)}


def test_every_env_pins_what_the_lock_pins():
    lock = lock_versions()
    envs = sorted((ROOT / "envs").glob("*.yaml"))
    assert len(envs) >= 3
    for env in envs:
        pins = env_pins(env)
        assert pins, env
        for name, version in pins.items():
            assert lock.get(name) == version, (
                f"{env.name}: {name}=={version}, lock has {lock.get(name)}"
            )


def test_every_rule_names_an_existing_env():
    for rules in (ROOT / "rules").glob("*.smk"):
        for env in re.findall(r'conda:\s*\n\s*"([^"]+)"', rules.read_text()):
            assert (rules.parent / env).resolve().is_file(), f"{rules.name}: {env}"


def test_lock_pins_the_direct_dependencies():
    lock = lock_versions()
    direct = [
        re.split(r"[\[<>=]", line)[0].strip().lower()
        for line in (ROOT / "requirements.in").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert [name for name in direct if name not in lock] == []
