"""Pronunciation for learners, offline: IPA for headwords and speech audio (MP3) through a content-addressed cache."""

from __future__ import annotations

from .cache import SpeechCache, media_name
from .ipa import ipa
from .synth import AUDIO_HINT, SpeechUnavailableError, available, engine_id, off_by_environment, synthesize

__all__ = [
    "AUDIO_HINT",
    "SpeechCache",
    "SpeechUnavailableError",
    "available",
    "engine_id",
    "ipa",
    "media_name",
    "off_by_environment",
    "synthesize",
]
