"""Which values of a config key are stored as Pulumi secrets, leaf by leaf.

Pulumi tells a program only whether a top-level config key holds *any* secret
(`PULUMI_CONFIG_SECRET_KEYS`): ``livekit-sip:credentials`` with one secret
password is a secret key, however many plain values sit beside it. Which leaves
are secret is written only where the config came from, as ``secure:`` markers.

So a key that holds SIP credentials or PINs is judged like this:

- nothing in it holds a value: nothing to protect;
- Pulumi does not mark it as secret: every value in it is plain text;
- it holds one value, and Pulumi marks it as secret: that value is the secret;
- otherwise the leaves are read from the config file in use, and that file is
  trusted only when it describes the config the program got: the same leaves, and
  every plain value in the file equal to the value in use. The file is
  ``LIVEKIT_SIP_CONFIG_FILE`` when set (the file given to ``--config-file``), else
  the stack file ``Pulumi.<stack>.yaml`` in the project's ``stackConfigDir``.
  When that file is missing, unreadable or describes other config, the program
  cannot tell, and the key is refused (`Secrecy.undecidable`): it fails closed.

No function here returns or formats a value, only paths of leaves.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: Names the config file in use when it is not the stack file (e.g. with `--config-file`).
CONFIG_FILE_ENV = "LIVEKIT_SIP_CONFIG_FILE"

Leaf = tuple[str, ...]


@dataclass(frozen=True)
class Secrecy:
    """What is known of one config key's leaves."""

    #: Leaves that hold a value stored in plain text.
    plaintext: frozenset[Leaf] = frozenset()
    #: Why it cannot be told which leaves are secret; "" when it can.
    undecidable: str = ""


@dataclass(frozen=True)
class ConfigFile:
    """The config file that shows each leaf's ``secure:`` marker, as far as it could be read."""

    #: The file's name for messages (relative to the project directory where it lies there).
    name: str
    #: Its ``config:`` map; None when it could not be read (`problem` says why).
    config: Mapping[str, Any] | None = field(default=None, repr=False)
    problem: str = ""


def config_file(project_dir: Path, stack: str, env: Mapping[str, str] | None = None) -> ConfigFile:
    """The config file in use: `LIVEKIT_SIP_CONFIG_FILE`, or the stack file of `project_dir`."""
    env = os.environ if env is None else env
    given = env.get(CONFIG_FILE_ENV, "").strip()
    if given:
        path = Path(given) if Path(given).is_absolute() else project_dir / given
        name = f"{given} ({CONFIG_FILE_ENV})"
    else:
        config_dir = "."
        try:
            project = yaml.safe_load((project_dir / "Pulumi.yaml").read_text()) or {}
            if isinstance(project, Mapping) and project.get("stackConfigDir"):
                config_dir = str(project["stackConfigDir"])
        except (OSError, yaml.YAMLError):
            pass
        path = project_dir / config_dir / f"Pulumi.{stack}.yaml"
        name = str(Path(config_dir) / path.name) if config_dir != "." else path.name
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except FileNotFoundError:
        return ConfigFile(name, problem=f"{name} does not exist")
    except OSError as err:
        return ConfigFile(name, problem=f"{name} cannot be read ({err.strerror})")
    except yaml.YAMLError:
        return ConfigFile(name, problem=f"{name} is not valid YAML")
    config = data.get("config") if isinstance(data, Mapping) else None
    return ConfigFile(name, config if isinstance(config, Mapping) else {})


class _Secure:
    """The marker of a leaf stored with ``secure:``."""


_SECURE = _Secure()


def leaves(value: Any, at: Leaf = (), stored: bool = False) -> dict[Leaf, Any]:
    """Every leaf of a parsed config value by its path; a map's keys are strings. With
    `stored`, the value is as a config file stores it: a ``{secure: ...}`` map is one secret leaf."""
    if stored and isinstance(value, Mapping) and set(value) == {"secure"}:
        return {at: _SECURE}
    if isinstance(value, Mapping) and value:
        found: dict[Leaf, Any] = {}
        for key, inner in value.items():
            found.update(leaves(inner, (*at, str(key)), stored))
        return found
    return {at: value}


def _holds_value(value: Any) -> bool:
    return value is not None and value != "" and value != {}


def _same(file_value: Any, used: Any) -> bool:
    # `pulumi config set --path` stores digits as numbers; the program may see them either way.
    return file_value == used or (_holds_value(file_value) and str(file_value) == str(used))


def judge(key: str, value: Any, secret: bool, source: ConfigFile) -> Secrecy:
    """Which leaves of config key `key` (``livekit-sip:credentials``) hold plain text.

    Args:
        key: the full config key, as the config file writes it.
        value: the key's value as the program got it (parsed JSON).
        secret: whether Pulumi marks the key as secret.
        source: the config file that shows each leaf's marker.
    """
    used = leaves(value)
    valued = frozenset(path for path, leaf in used.items() if _holds_value(leaf))
    if not valued:
        return Secrecy()
    if not secret:
        return Secrecy(plaintext=valued)
    if len(used) == 1:
        return Secrecy()
    why = (f"Pulumi marks only whole keys as secret, and {{}}; keep {key} in the stack file with "
           f"pulumi config set --secret --path, or name the config file in use in {CONFIG_FILE_ENV}")
    if source.config is None:
        return Secrecy(undecidable=why.format(source.problem))
    stored = leaves(source.config.get(key, {}), stored=True)
    plain_differs = any(leaf is not _SECURE and not _same(leaf, used.get(path)) for path, leaf in stored.items())
    if set(stored) != set(used) or plain_differs:
        return Secrecy(undecidable=why.format(
            f"{source.name} does not hold the config in use for it (given with --config-file, the Automation "
            "API or an environment?)"))
    return Secrecy(plaintext=frozenset(path for path in valued if stored[path] is not _SECURE))
