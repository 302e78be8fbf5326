"""The MediaPipe graphs one take's extractor builds, and which model files pick the face route.

Each builder imports mediapipe lazily (importing it costs ~1 s) and returns a fresh graph:
tracking state lives in the graph, so a take (and a crop of it) gets its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rehearse.analysis.settings import LandmarkSettings


def new_face_mesh(settings: LandmarkSettings) -> Any:
    """FaceMesh on a video stream: one face, iris points when `refine_iris`."""
    from rehearse.analysis.backends.mediapipe_import import import_mediapipe

    return import_mediapipe().solutions.face_mesh.FaceMesh(
        static_image_mode=False,
        max_num_faces=1,
        refine_landmarks=settings.refine_iris,
        min_detection_confidence=settings.min_detection_confidence,
        min_tracking_confidence=settings.min_tracking_confidence,
    )


def new_face_landmarker(task: Path, settings: LandmarkSettings) -> Any:
    """The Face Landmarker task (route "landmarker": landmarks and blendshapes from one graph)."""
    from rehearse.analysis.face_landmarker import FaceLandmarkerBackend

    return FaceLandmarkerBackend(
        task,
        min_detection_confidence=settings.min_detection_confidence,
        min_tracking_confidence=settings.min_tracking_confidence,
    )


def new_pose(settings: LandmarkSettings) -> Any:
    """Pose at complexity 1: the only Pose model bundled in the 0.10.21 wheel (0 and 2 download)."""
    from rehearse.analysis.backends.mediapipe_import import import_mediapipe

    return import_mediapipe().solutions.pose.Pose(
        static_image_mode=False,
        model_complexity=1,
        smooth_landmarks=True,
        min_detection_confidence=settings.min_detection_confidence,
        min_tracking_confidence=settings.min_tracking_confidence,
    )


def new_hands(settings: LandmarkSettings) -> Any:
    """Hands on a video stream (a found hand is tracked from its own region, no palm search)."""
    from rehearse.analysis.backends.mediapipe_import import import_mediapipe

    return import_mediapipe().solutions.hands.Hands(
        static_image_mode=False,
        max_num_hands=settings.max_num_hands,
        model_complexity=settings.hands_model_complexity,
        min_detection_confidence=settings.min_detection_confidence,
        min_tracking_confidence=settings.min_tracking_confidence,
    )


def landmarker_task(settings: LandmarkSettings) -> Path | None:
    """The model file when the Face Landmarker task is the face backend (route "landmarker")."""
    from rehearse.analysis.model_files import find_model

    return find_model(settings.face_landmarker_task) if settings.blendshapes == "landmarker" else None


def blendshape_network_task(settings: LandmarkSettings) -> Path | None:
    """The model file whose blendshape network runs on FaceMesh's landmarks (route "facemesh");
    None without the model (geometry is used then) or with another route."""
    from rehearse.analysis.model_files import find_model

    if settings.blendshapes != "facemesh" or not settings.refine_iris:
        return None  # the network needs the ten iris points of the refined mesh
    return find_model(settings.face_landmarker_task)
