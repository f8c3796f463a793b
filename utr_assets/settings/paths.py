"""Path-valued settings: the `PathStr` marker and the resolution of relative paths against a settings file.

What belongs here: the declaration a path field carries (``PathStr`` = ``Annotated[str, PathField()]``)
and `resolve_paths`, which walks a settings model class (sections, optional sections, dicts of paths)
and makes every declared path in a raw YAML mapping absolute against a base folder. Not here: the
sections (sections.py, modelling.py) or the loading order (loading.py).

Rule: a relative path in a bundled profile resolves against the project root, one in a user override
against that YAML file's folder; URIs (s3://, https://) and absolute paths are kept. A field is a path
because its type says so, so a new path setting cannot silently resolve against the working directory.
"""

from __future__ import annotations

import types
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel


class PathField:
    """Marks a settings field (or dict value) as a filesystem path or URI (see the module docstring)."""

    def __repr__(self) -> str:
        return "PathField()"


PathStr = Annotated[str, PathField()]


def absolute(value: str, base: Path) -> str:
    """``value`` made absolute against ``base``; URIs and absolute paths unchanged."""
    return value if "://" in value or Path(value).is_absolute() else str(base / value)


def _marked(metadata: list[Any] | tuple[Any, ...]) -> bool:
    return any(isinstance(m, PathField) for m in metadata)


def _resolve(value: Any, annotation: Any, base: Path) -> Any:
    """``value`` (raw YAML data) with every string that ``annotation`` declares a path made absolute."""
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *metadata = get_args(annotation)
        if _marked(metadata) and isinstance(value, str):
            return absolute(value, base)
        return _resolve(value, inner, base)
    if origin is Union or origin is types.UnionType:
        for arm in get_args(annotation):
            resolved = _resolve(value, arm, base)
            if resolved is not value:
                return resolved
        return value
    if origin is dict and isinstance(value, dict):
        _, value_type = get_args(annotation)
        return {k: _resolve(v, value_type, base) for k, v in value.items()}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(value, dict):
        return resolve_paths(value, annotation, base)
    return value


def resolve_paths(raw: dict[str, Any], model: type[BaseModel], base: Path) -> dict[str, Any]:
    """A copy of ``raw`` (the YAML mapping for ``model``) with its declared paths absolute against ``base``;
    unknown keys are left for validation to reject."""
    out = dict(raw)
    for name, value in raw.items():
        field = model.model_fields.get(name)
        if field is None:
            continue
        if _marked(field.metadata) and isinstance(value, str):
            out[name] = absolute(value, base)
        else:
            out[name] = _resolve(value, field.annotation, base)
    return out


def path_fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Dotted names of the fields of ``model`` (and its nested sections) declared as paths."""
    found = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        if _marked(field.metadata) or _mentions_path(field.annotation):
            found.append(key)
        for arm in _arms(field.annotation):
            if isinstance(arm, type) and issubclass(arm, BaseModel):
                found.extend(path_fields(arm, f"{key}."))
    return found


def _arms(annotation: Any) -> tuple[Any, ...]:
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        return get_args(annotation)
    return (annotation,)


def _mentions_path(annotation: Any) -> bool:
    if get_origin(annotation) is Annotated:
        inner, *metadata = get_args(annotation)
        return _marked(metadata) or _mentions_path(inner)
    return any(_mentions_path(arg) for arg in get_args(annotation))
