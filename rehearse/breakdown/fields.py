"""The field types every breakdown model is built from: times in seconds (written as `2.5s`,
`450ms`, plain seconds or `HH:MM:SS:FF` timecode at the production's frame rate), short ids,
sides, and `Record`, the strict frozen base model."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo

from rehearse.breakdown.timecode import TimeFormatError, parse_seconds

DEFAULT_FPS = 24.0


def _seconds(value: object, info: ValidationInfo) -> float:
    fps = (info.context or {}).get("fps", DEFAULT_FPS)
    try:
        return parse_seconds(value, fps)
    except TimeFormatError as exc:
        # pydantic turns ValueError into a validation error carrying this message.
        raise ValueError(str(exc)) from None


Seconds = Annotated[float, BeforeValidator(_seconds)]
"""A time or duration in seconds, written as `2.5s`, `450ms`, `12.4` or `HH:MM:SS:FF`."""


def _id_text(value: object) -> object:
    # YAML reads `id: 12` as a number; an id is a name, so a whole number is taken as its digits.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


# Constraints first, so pydantic checks them in its core (not as Python validators); the
# before-validator still runs first.
Identifier = Annotated[
    str,
    Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"),
    BeforeValidator(_id_text),
]
"""A short id used for cross-references (scene, beat, shot, mark, gesture)."""


class Record(BaseModel):
    """Base for every breakdown model: immutable, strict about unknown keys, documented fields.

    Each field's docstring stays in the source (a test checks every field has one), but pydantic
    does not read them into `Field.description` (`use_attribute_docstrings`): it does so by
    re-reading and tokenizing each class's source, ~70 ms of the app's first screen, and nothing
    reads a breakdown field's description."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Side(str, Enum):
    """A side of the actor's own body, as a script supervisor says it (not the camera's)."""

    left = "left"
    right = "right"
    both = "both"
    either = "either"
