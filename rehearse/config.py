"""Settings: analysis thresholds, cache location, keymap; read from a YAML file and REHEARSE_* env.

Where settings come from, later ones winning:

1. the defaults documented on each field below;
2. the user's file `~/.config/rehearse/config.yaml` (or `$REHEARSE_CONFIG`);
3. the production's `rehearse.yaml` (in the production folder, beside `production.yaml`);
4. environment variables: `REHEARSE_CACHE_DIR=/tmp/c`, and any nested field as
   `REHEARSE_<SECTION>__<FIELD>=value`, e.g. `REHEARSE_ANALYSIS__AUDIO__HOP_S=0.02`
   (values are read as YAML scalars, so `true`, `3` and `0.5` get their types).

Files are read by the breakdowns' hardened YAML reader (`breakdown/yaml_source.py`: duplicate
keys, tags and alias bombs refused). A bad value is a `ConfigError` naming the file with the
key's line and column (or the variable), the key and what was expected. Sections are frozen
pydantic models in leaf modules (`analysis/settings.py`, `analysis/event_settings.py`,
`continuity/settings.py`, `profiles/settings.py`) that import nothing above this layer; load
settings once (`load_settings`) and pass them down.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator

from rehearse.analysis.event_settings import EventSettings
from rehearse.analysis.settings import AnalysisSettings, Section
from rehearse.continuity.settings import DriftSettings
from rehearse.errors import ConfigError, Location
from rehearse.profiles.settings import ProfileSettings

ENV_PREFIX = "REHEARSE_"
PRODUCTION_CONFIG_NAME = "rehearse.yaml"


class ClusterSettings(Section):
    """Where takes are analysed when a Dask scheduler is used (see rehearse/cluster/)."""

    scheduler: str | None = None
    """Scheduler for `rehearse analyze` and the app's analyse action: an address such as
    `tcp://10.0.0.5:8786`, `local` or `local:N` (a LocalCluster of N workers); none: this
    machine's own processes (`--jobs`)."""
    connect_timeout_s: float = Field(default=10.0, gt=0, le=600)
    """How long to wait for the scheduler to answer before giving up, in seconds."""
    retries: int = Field(default=1, ge=0, le=10)
    """Extra tries of a take whose analysis crashed on a worker (a worker that dies is
    replaced by the scheduler without counting here)."""
    segment_s: float | None = Field(default=120.0, ge=4)
    """A take at least twice this long goes to the workers as time segments of about this
    length, in seconds, so one long take spreads over many workers (each segment is decoded
    from 1 s before its seam, so the trackers settle). None: takes are never split."""


class Settings(Section):
    """All settings. Sections are added as fields (events, keymap ...)."""

    analysis: AnalysisSettings = Field(default_factory=AnalysisSettings)
    """Landmark, signal and audio analysis: these settings are part of the cache key."""
    cache_dir: Path | None = None
    """Where analysis results are cached; none: the production's `.rehearse/cache/`, else
    `~/.cache/rehearse/`."""
    keymap: dict[str, str] = Field(default_factory=dict)
    """Terminal-app key bindings: binding id -> key (e.g. `mark_beat: m`)."""
    events: EventSettings = Field(default_factory=EventSettings)
    """Event detector thresholds (blinks, holds, hesitations ...), see rehearse/analysis/event_settings.py."""
    drift: DriftSettings = Field(default_factory=DriftSettings)
    """Tolerances for continuity drift between takes, see rehearse/continuity/settings.py."""
    profiles: ProfileSettings = Field(default_factory=ProfileSettings)
    """Actor profiles: outlier thresholds and neutral calibration, see rehearse/profiles/settings.py."""
    cluster: ClusterSettings = Field(default_factory=ClusterSettings)
    """A Dask scheduler to analyse on instead of this machine, see rehearse/cluster/."""

    @field_validator("keymap", mode="before")
    @classmethod
    def _keys_are_text(cls, value: Any) -> Any:
        # `mark_beat: 1` (YAML reads a number) means the key "1".
        if isinstance(value, dict):
            return {k: str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for k, v in value.items()}
        return value


SPEED_ONLY_FIELDS = {"decode_prefetch_frames"}
"""Analysis settings that change speed, never results: left out of the cache key."""


def settings_key(settings: Settings | AnalysisSettings) -> str:
    """A stable short hash of the analysis settings (JSON, sorted keys): part of the cache key."""
    analysis = settings.analysis if isinstance(settings, Settings) else settings
    values = analysis.model_dump(mode="json", exclude=SPEED_ONLY_FIELDS)
    text = json.dumps(values, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def user_config_path(env: Mapping[str, str] | None = None) -> Path:
    """The user's settings file: `$REHEARSE_CONFIG`, else `~/.config/rehearse/config.yaml`."""
    env = os.environ if env is None else env
    if env.get("REHEARSE_CONFIG"):
        return Path(env["REHEARSE_CONFIG"]).expanduser()
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "rehearse" / "config.yaml"


def load_settings(
    production_root: Path | str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    user_config: Path | None = None,
) -> Settings:
    """Defaults, then the user's file, then the production's `rehearse.yaml`, then the env."""
    env = os.environ if env is None else env
    merged: dict[str, Any] = {}
    sources: list[tuple[str, dict[str, Any]]] = []
    if user_config is None and env.get("REHEARSE_CONFIG") and not os.path.lexists(Path(env["REHEARSE_CONFIG"]).expanduser()):
        raise ConfigError("REHEARSE_CONFIG names a settings file that does not exist",
                          Location(Path(env["REHEARSE_CONFIG"]).expanduser()),
                          hint="create the file, fix the path, or unset REHEARSE_CONFIG")
    files = [user_config if user_config is not None else user_config_path(env)]
    if production_root is not None:
        files.append(Path(production_root) / PRODUCTION_CONFIG_NAME)
    for path in files:
        if os.path.lexists(path):  # a folder, FIFO or device here is an error (the reader says so), not "no file"
            data, root = _read_yaml(path)
            _deep_merge(merged, data)
            sources.append((str(path), data, root))
    env_values, env_names = _env_overrides(env)
    _deep_merge(merged, env_values)
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        raise _config_error(exc, sources, env_names) from None


def _read_yaml(path: Path) -> tuple[dict[str, Any], Any]:
    """The file's settings and its YAML node tree (for line:column), through the hardened reader
    the breakdowns use: duplicate keys, Python tags, oversized files and alias bombs are refused."""
    from rehearse.breakdown.yaml_source import YamlSourceError, parse_yaml, read_text

    try:
        document = parse_yaml(read_text(path))
    except OSError as exc:
        raise ConfigError(f"cannot read settings: {exc.strerror or exc}", Location(path),
                          hint="fix or remove the file") from None
    except YamlSourceError as exc:
        raise ConfigError(f"settings are not valid YAML: {exc.message}", Location(path, exc.line, exc.column),
                          hint="fix the file (it is read like the scene breakdowns)") from None
    if document.data is None:
        return {}, None
    if not isinstance(document.data, dict):
        raise ConfigError("settings file must be a mapping of sections", Location(path, 1, 1))
    return document.data, document.root


def _env_overrides(env: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """`REHEARSE_A__B=v` -> {"a": {"b": v}}; also returns dotted key -> variable name."""
    from rehearse.breakdown.yaml_source import YamlSourceError, parse_yaml

    values: dict[str, Any] = {}
    names: dict[str, str] = {}
    for name, raw in env.items():
        if not name.startswith(ENV_PREFIX) or name == "REHEARSE_CONFIG":
            continue
        parts = [p.lower() for p in name[len(ENV_PREFIX):].split("__") if p]
        if not parts or parts[0] not in Settings.model_fields:
            continue
        try:
            value = parse_yaml(raw).data if raw.strip() else None
        except YamlSourceError:
            value = raw
        if parts == ["cache_dir"]:
            if not raw.strip():
                continue  # set but empty: the default cache (see unknown_env_warnings), never the current folder
            value = raw  # a path is a path, even when it looks like a number
        if parts[0] == "keymap":
            value = raw  # a key is a key name: `1` is the key "1", not a number
        node = values
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
        names[".".join(parts)] = name
    return values, names


KNOWN_ENV = {"REHEARSE_CONFIG", "REHEARSE_CACHE_DIR", "REHEARSE_STILLS", "REHEARSE_FACE_LANDMARKER_TASK"}
"""Variables read directly (not as `REHEARSE_<SECTION>__<FIELD>`)."""


def unknown_env_warnings(env: Mapping[str, str] | None = None) -> list[str]:
    """One warning line per `REHEARSE_*` variable rehearse does not read (with a did-you-mean),
    and for an empty `REHEARSE_CACHE_DIR`."""
    import difflib

    env = os.environ if env is None else env
    known = set(KNOWN_ENV) | {f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields}
    warnings = []
    for name in sorted(env):
        if not name.startswith(ENV_PREFIX):
            continue
        if name == "REHEARSE_CACHE_DIR" and not env[name].strip():
            warnings.append("warning: REHEARSE_CACHE_DIR is set but empty; using the default cache folder "
                            "(unset it, or give a folder)")
            continue
        section = name.split("__", 1)[0]
        if name in known or ("__" in name and section in known):
            continue
        close = difflib.get_close_matches(name if "__" not in name else section, sorted(known), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}{name[len(section):] if '__' in name else ''}?" if close else ""
        warnings.append(f"warning: environment variable {name} is not a rehearse setting, ignored{hint}")
    return warnings


def _deep_merge(into: dict[str, Any], update: Mapping[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _deep_merge(into[key], value)
        else:
            into[key] = dict(value) if isinstance(value, Mapping) else value


def _config_error(exc: ValidationError, sources: list[tuple[str, dict[str, Any], Any]],
                  env_names: dict[str, str]) -> ConfigError:
    from rehearse.breakdown.yaml_source import key_node_at, node_at, position

    first = exc.errors()[0]
    loc = [str(p) for p in first["loc"]]
    key = ".".join(loc)
    origin = next((name for dotted, name in env_names.items() if key.startswith(dotted)), None)
    line = column = None
    if origin is None:
        # The last file that sets this key (or its section) is the one to fix.
        origin = "settings"
        for path, data, root in sources:
            if _has_prefix(data, loc):
                origin = path
                node = key_node_at(root, tuple(first["loc"])) or node_at(root, tuple(first["loc"]))[0]
                line, column = position(node)
    else:
        origin = f"environment variable {origin}"
    return ConfigError(
        f"setting `{key}`: {first['msg']}",
        Location(origin, line, column),
        hint="fix the value or remove it to use the default",
    )


def _has_prefix(data: Any, loc: list[str]) -> bool:
    """True when `data` sets the key path `loc` or its first section."""
    return isinstance(data, dict) and bool(loc) and loc[0] in data
