"""Profiles: which column of a file is which generic field, per kind of import.

A profile is a JSON file in ``integrations/imports/profiles/`` (and in ``settings.ERP_PROFILE_DIRS``):
``{"description": ..., "kinds": {"products": {"AR_Ref": "sku", ...}, ...}}``. Adding a file adds a
profile; no code. Column names are matched case-insensitively; a column a profile does not name keeps
its own (lower-cased) name, so generic names work in every profile. Without ``--profile`` the profile
naming the most of the file's columns is used (``generic`` when none names any).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

BUILTIN_DIR = Path(__file__).resolve().parent / "profiles"
KINDS = ("products", "stock", "prices", "customers", "orders")


class UnknownProfile(Exception):
    pass


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    columns: dict[str, dict[str, str]]  # kind -> {lower-cased column: generic field}

    def mapping(self, kind: str) -> dict[str, str]:
        return self.columns.get(kind, {})

    def map_row(self, kind: str, values: dict[str, str]) -> dict[str, str]:
        """A row with the generic field names; several columns naming one field: the first non-empty."""
        mapping = self.mapping(kind)
        out: dict[str, str] = {}
        for column, value in values.items():
            name = mapping.get(column, column)
            if name not in out or (not out[name] and value):
                out[name] = value
        return out

    def score(self, kind: str, headers: list[str]) -> int:
        mapping = self.mapping(kind)
        return sum(1 for header in headers if header in mapping)


def _dirs() -> list[Path]:
    extra = [Path(p) for p in getattr(settings, "ERP_PROFILE_DIRS", [])]
    return [BUILTIN_DIR, *extra]


def load_profiles() -> dict[str, Profile]:
    profiles: dict[str, Profile] = {}
    for directory in _dirs():
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            columns = {
                kind: {str(col).strip().lower(): str(field) for col, field in mapping.items()}
                for kind, mapping in data.get("kinds", {}).items()
            }
            profiles[path.stem] = Profile(
                name=path.stem, description=str(data.get("description", "")), columns=columns
            )
    return profiles


def get_profile(name: str) -> Profile:
    profiles = load_profiles()
    if name not in profiles:
        raise UnknownProfile(f"unknown profile {name!r} (known: {', '.join(sorted(profiles))})")
    return profiles[name]


def detect_profile(kind: str, headers: list[str]) -> Profile:
    """The profile naming the most of these columns; ``generic`` on a tie or when none names any."""
    profiles = load_profiles()
    best = profiles["generic"]
    best_score = 0
    for profile in profiles.values():
        score = profile.score(kind, headers)
        if score > best_score:
            best, best_score = profile, score
    return best
