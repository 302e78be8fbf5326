"""The production as plain, frozen data: scenes, beats, blocking, wardrobe, lighting, shots, takes.

Every model forbids unknown keys and documents each field. Times are stored in seconds; the
loader passes the production's frame rate as validation context so `HH:MM:SS:FF` timecode can
be read (`Seconds` fields accept `2.5s`, `450ms`, plain seconds and timecode; the field types
are in `fields.py`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from rehearse.breakdown.fields import DEFAULT_FPS, Identifier, Record, Seconds, Side

# --- production ------------------------------------------------------------------------------


class Character(Record):
    """A character in the piece and the actor who plays them."""

    id: Identifier
    """Short id used in scenes, line cues and gestures (e.g. `maya`)."""
    name: str
    """The character's name as printed in the script (e.g. `MAYA`)."""
    actor: str
    """The actor playing the character."""
    consent: bool | None = None
    """Whether the actor agreed to face/body analysis; `false` makes analysis refuse their takes."""
    notes: str = ""
    """Free notes (pronunciation, sensitivities the company agreed on)."""


class StoryDay(Record):
    """A day in story time; scenes are ordered by story day, then by script order."""

    id: Identifier
    """Id used by scenes (e.g. `D1`)."""
    label: str = ""
    """How the script supervisor names it (e.g. `Day 1, evening`)."""


class Production(Record):
    """The production file (`production.yaml`): what is shared by every scene."""

    title: str
    """Title of the piece."""
    fps: float = Field(default=DEFAULT_FPS, gt=0, le=1000)
    """Default frame rate (frames per second) for timecode and for shots that give none."""
    characters: list[Character] = Field(min_length=1)
    """Everyone who appears, with their actor."""
    story_days: list[StoryDay] = Field(default_factory=list)
    """Story days in story order."""
    script_order: list[Identifier] = Field(default_factory=list)
    """Scene ids in script order; scenes not listed follow, sorted by id."""
    notes: str = ""
    """Free production notes."""

    def character(self, character_id: str) -> Character | None:
        """The character with this id, or None."""
        return next((c for c in self.characters if c.id == character_id), None)


# --- scene parts -----------------------------------------------------------------------------


class LineCue(Record):
    """One line of dialogue: who says it and what they say."""

    character: Identifier
    """Id of the character speaking."""
    text: str
    """The line as written in the script (without its parenthetical)."""
    parenthetical: str = ""
    """The script's direction for this line, without parentheses (e.g. `lightly`, `beat`)."""


class TargetHold(Record):
    """How long the director wants a hold (a still moment) to last, with the tolerance allowed."""

    duration: Seconds
    """Target length of the hold, in seconds."""
    tolerance: Seconds = 0.25
    """How far from the target still counts as on target, in seconds."""
    character: Identifier | None = None
    """Who holds; defaults to the beat's first speaker."""


class Beat(Record):
    """A beat: the smallest unit of action with one intent."""

    id: Identifier
    """Beat id, unique within the scene (e.g. `b3`)."""
    summary: str = ""
    """What happens, in a sentence."""
    intent: str = ""
    """What the character wants in this beat (playable action)."""
    subtext: str = ""
    """What is meant but not said."""
    lines: list[LineCue] = Field(default_factory=list)
    """Line cues in order: who says what."""
    hold: TargetHold | None = None
    """The target hold for this beat, if the director set one."""
    expressions: list[str] = Field(default_factory=list)
    """Expressions the director expects to see (e.g. `half_smile`, `brow_raise`)."""
    gestures: list[str] = Field(default_factory=list)
    """Gestures expected in this beat (free text or ids of tracked gestures)."""
    sensitivity: str = ""
    """Sensitivity or cultural notes the company agreed on for this beat."""


class Mark(Record):
    """A floor mark an actor hits."""

    id: Identifier
    """Mark id (e.g. `A`, `door`)."""
    description: str = ""
    """Where it is (e.g. `by the sink, tape blue`)."""


class Move(Record):
    """A move an actor makes during a beat."""

    beat: Identifier
    """Beat in which the move happens."""
    character: Identifier
    """Who moves."""
    to_mark: Identifier | None = None
    """Mark the actor ends on, if any."""
    from_mark: Identifier | None = None
    """Mark the actor starts from, if any."""
    description: str = ""
    """The move in words (e.g. `crosses to the window on "never"`)."""


class Lean(Record):
    """A lean or proximity intent: toward or away from another character."""

    beat: Identifier
    """Beat in which the lean happens."""
    character: Identifier
    """Who leans."""
    direction: Literal["toward", "away"]
    """`toward` or `away`."""
    target: Identifier | None = None
    """The character leaned toward or away from."""
    degrees: float | None = Field(default=None, ge=0, le=90)
    """Expected torso lean in degrees, when the director gave one."""


class Blocking(Record):
    """Marks, moves and leans for a scene."""

    marks: list[Mark] = Field(default_factory=list)
    """Floor marks used in the scene."""
    moves: list[Move] = Field(default_factory=list)
    """Per-beat moves."""
    leans: list[Lean] = Field(default_factory=list)
    """Lean and proximity intents."""


class AppearanceCue(Record):
    """A wardrobe or makeup state that must stay continuous until a declared change."""

    character: Identifier
    """Who wears it."""
    item: str
    """The item (e.g. `cardigan`, `left cuff`, `scratch on chin`)."""
    state: str
    """Its state at the start of the scene (e.g. `frayed left cuff`, `buttoned`)."""
    changed_on_purpose: bool = False
    """True when this scene starts a new state on purpose (new day, costume change)."""
    changes_at: Identifier | None = None
    """Beat where the state changes during the scene, if it does."""
    new_state: str | None = None
    """The state after `changes_at` (carried into later scenes)."""

    @model_validator(mode="after")
    def _change_needs_both(self) -> AppearanceCue:
        if (self.changes_at is None) != (self.new_state is None):
            raise ValueError("give both changes_at and new_state, or neither")
        return self


class LightingNote(Record):
    """How the scene (or one beat of it) is lit."""

    key_side: Literal["left", "right", "front", "top", "back"]
    """Side of the key light, camera's view (left = frame left)."""
    quality: Literal["soft", "hard"] = "soft"
    """Soft or hard light."""
    color_temperature_k: int | None = Field(default=None, ge=1000, le=20000)
    """Colour temperature of the key in kelvin."""
    practicals: list[str] = Field(default_factory=list)
    """Practical lights in shot (lamps, screens, candles)."""
    mood: str = ""
    """The mood the lighting serves."""
    beat: Identifier | None = None
    """Beat this note applies from; none means the whole scene."""


ShotSize = Literal["EWS", "WS", "MLS", "MS", "MCU", "CU", "ECU", "OTS", "2S", "INSERT"]


class Shot(Record):
    """A camera set-up."""

    id: Identifier
    """Shot id (e.g. `3A`)."""
    size: ShotSize
    """Shot size: ECU, CU, MCU, MS, MLS, WS, EWS, OTS, 2S or INSERT."""
    lens_mm: float | None = Field(default=None, gt=0, le=2000)
    """Focal length in millimetres."""
    movement: str = "static"
    """Camera movement (static, pan, dolly, handheld ...)."""
    frame_rate: float | None = Field(default=None, gt=0, le=2000)
    """Capture frame rate; defaults to the production's."""
    beats: list[Identifier] = Field(default_factory=list)
    """Beats this shot covers."""
    subject: Identifier | None = None
    """Character the shot is on, for close coverage."""
    framing: str = ""
    """Framing notes (e.g. `eyes on the upper third, keep the collar`)."""


TakeStatus = Literal["circled", "hold", "ng", "false_start", "unmarked"]


class CameraReport(Record):
    """Camera-report fields for a take."""

    camera: str = ""
    """Camera letter (A, B ...)."""
    roll: str = ""
    """Camera roll or card (e.g. `A003`)."""
    sound_roll: str = ""
    """Sound roll."""
    start_timecode: str = ""
    """Timecode at the first frame, as on the slate (`HH:MM:SS:FF`)."""
    notes: str = ""
    """Camera-report remarks."""


class Take(Record):
    """A recorded take of a shot, and the beat marks that align it to the scene."""

    shot: Identifier
    """Shot this take belongs to."""
    number: int = Field(ge=1)
    """Take number."""
    file: str
    """Video file, relative to the production folder (may not exist yet)."""
    status: TakeStatus = "unmarked"
    """circled, hold, ng, false_start or unmarked."""
    beat_marks: dict[Identifier, Seconds] = Field(default_factory=dict)
    """Beat id -> time in the take where that beat starts, in order."""
    duration: Seconds | None = None
    """Length of the take if known before analysis, in seconds."""
    camera_report: CameraReport = Field(default_factory=CameraReport)
    """Camera-report fields."""
    notes: str = ""
    """Script supervisor's notes on the take."""

    @property
    def label(self) -> str:
        """`3A-2`: shot and take number, as slated."""
        return f"{self.shot}-{self.number}"


class TrackedGesture(Record):
    """A gesture whose continuity must be kept from take to take."""

    id: Identifier
    """Gesture id (e.g. `collar_touch`)."""
    character: Identifier
    """Who makes it."""
    description: str
    """The gesture in words (e.g. `touches her collar with her right hand`)."""
    kind: Literal[
        "hand_to_face", "hand_to_collar", "hand_raise", "lean", "shoulder_turn", "head_turn",
        "nod", "shake", "other",
    ] = "other"
    """Which detector verifies it."""
    body_part: Literal["hand", "head", "shoulders", "torso", "face", "eyes"]
    """Body part that moves."""
    side: Side = Side.either
    """The actor's own side (left, right, both, either)."""
    beat: Identifier
    """Beat in which it happens."""
    window_start: Seconds = 0.0
    """Earliest expected onset, seconds after the beat starts."""
    window_end: Seconds | None = None
    """Latest expected onset, seconds after the beat starts (none: until the beat ends)."""
    tolerance: Seconds = 0.25
    """How far outside the window still counts as on time, in seconds."""

    @model_validator(mode="after")
    def _window_in_order(self) -> TrackedGesture:
        if self.window_end is not None and self.window_end < self.window_start:
            raise ValueError("window_end must not come before window_start")
        return self


# --- scene -----------------------------------------------------------------------------------


class Scene(Record):
    """One scene breakdown file."""

    id: Identifier
    """Scene id (e.g. `03`)."""
    heading: str
    """Scene heading (e.g. `INT. KITCHEN - NIGHT`)."""
    story_day: Identifier | None = None
    """Story day id from the production."""
    characters: list[Identifier] = Field(default_factory=list)
    """Characters in the scene."""
    synopsis: str = ""
    """What the scene is about."""
    beats: list[Beat] = Field(default_factory=list)
    """Beats in order."""
    blocking: Blocking = Field(default_factory=Blocking)
    """Marks, moves and leans."""
    wardrobe: list[AppearanceCue] = Field(default_factory=list)
    """Wardrobe states to keep continuous."""
    makeup: list[AppearanceCue] = Field(default_factory=list)
    """Makeup and hair states to keep continuous."""
    lighting: list[LightingNote] = Field(default_factory=list)
    """Lighting notes."""
    shots: list[Shot] = Field(default_factory=list)
    """Camera set-ups."""
    takes: list[Take] = Field(default_factory=list)
    """Recorded takes."""
    tracked_gestures: list[TrackedGesture] = Field(default_factory=list)
    """Gestures to verify in every take."""

    @field_validator("beats", "shots", "tracked_gestures")
    @classmethod
    def _ids_unique(cls, items: list) -> list:
        seen: set[str] = set()
        for item in items:
            if item.id in seen:
                raise ValueError(f"id {item.id!r} is used twice")
            seen.add(item.id)
        return items

    def beat(self, beat_id: str) -> Beat | None:
        """The beat with this id, or None."""
        return next((b for b in self.beats if b.id == beat_id), None)

    def shot(self, shot_id: str) -> Shot | None:
        """The shot with this id, or None."""
        return next((s for s in self.shots if s.id == shot_id), None)

    def subject_of(self, take: Take) -> str | None:
        """Id of the character a take is on: its shot's `subject`, else the scene's first character.

        The one rule for who a take is on (reports, drift sentences, profiles, lean targets).
        """
        shot = self.shot(take.shot)
        return (shot.subject if shot else None) or (self.characters[0] if self.characters else None)
