"""YAML loading that remembers where each mapping and key was, for line-numbered errors.

Collections nest at most ``MAX_DEPTH`` deep, which is checked as they are met: PyYAML's pure reader
takes time quadratic in the nesting (a 4 KB line of 2,000 brackets took 1 s), and content and
question files nest a few levels.

Anchors and aliases (``&a`` / ``*a``) are refused as they are met, before anything is built: an
alias repeats a value without writing it out, so a few hundred bytes of nested aliases would
otherwise expand to millions of items (the "billion laughs"). Content and question files have no
use for them.

Documents are read by libyaml (PyYAML's C parser) where it is installed, which is ten times faster
than the pure-Python reader (the six courses and their banks: 0.06 s against 0.66 s). The pure
reader stays the reference: it reads every document libyaml refuses and every one in which the two
could differ or an anchor could hide, so every error is worded, and every anchor refused, as
before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import yaml

MAX_DEPTH = 64  # collections inside collections; the course and bank files use about six
TOO_DEEP = "YAML nesting is too deep"


class LinedDict(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LinedList(list):
    line: int = 0
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    """A safe loader that refuses anchors and aliases and collections nested past ``MAX_DEPTH``,
    and can be told to stop: ``stop()`` is asked before each node is built."""

    stop: Callable[[], str | None] | None = None
    depth = 0  # collections open around the node being composed (or constructed)

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            raise _Stopped(
                line,
                f"YAML aliases (*{event.anchor}) are not allowed: write each value out in full",
            )
        if getattr(event, "anchor", None) is not None:
            raise _Stopped(
                line,
                f"YAML anchors (&{event.anchor}) and aliases are not allowed: "
                "write each value out in full",
            )
        if self.stop is not None:
            reason = self.stop()
            if reason is not None:
                raise _Stopped(line, reason)
        if not isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            return super().compose_node(parent, index)
        if self.depth >= MAX_DEPTH:  # before the scanner reads any further in
            raise _Stopped(line, TOO_DEEP)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Stopped(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


@contextmanager
def _one_deeper(loader: Any, node: yaml.Node) -> Iterator[None]:
    """Constructing a collection inside ``loader.depth`` others: libyaml composes in C, without
    the composer's limit, so its documents are held to ``MAX_DEPTH`` here."""
    if loader.depth >= MAX_DEPTH:
        raise yaml.constructor.ConstructorError(None, None, TOO_DEEP, node.start_mark)
    loader.depth += 1
    try:
        yield
    finally:
        loader.depth -= 1


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LinedDict:
    with _one_deeper(loader, node):
        return _mapping(loader, node)


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LinedList:
    with _one_deeper(loader, node):
        result = LinedList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LinedDict:
    loader.flatten_mapping(node)
    result = LinedDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


if getattr(yaml, "__with_libyaml__", False):

    class _FastLoader(yaml.CSafeLoader):
        """libyaml's parser with the same constructors (lines kept). It composes in C, so it
        cannot refuse anchors as they are met nor be stopped: :func:`load_yaml` gives it only
        documents without a possible anchor or alias and without a ``stop``."""

        depth = 0  # collections open around the node being constructed

    _FastLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _FastLoader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence
    )
else:  # pragma: no cover - PyYAML built without libyaml
    _FastLoader = None

# Documents libyaml is not given: where an anchor (&a) or alias (*a) could start a node (this also
# matches many texts that merely contain & or *); and any character other than line breaks and
# printable ones (tabs, controls, NEL, line separators, byte-order marks), where the two readers
# differ: libyaml takes "a\t" and drops a leading BOM, the pure reader refuses the one and keeps
# the other. ``tests/test_yaml_reader.py`` looks for other differences.
_NOT_FAST = re.compile(
    r"(?:^|[\s\[\]{},:?-])[&*]|[|>][-+0-9]*#|[^\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]",
    re.MULTILINE,
)


def _load_fast(text: str) -> Any:
    """The document as libyaml reads it, or ``None`` if it does not take it as it is."""
    if _FastLoader is None or _NOT_FAST.search(text):
        return None
    if "?" in text and ("[" in text or "{" in text):
        # Inside [ ] and { } the pure reader ends a plain scalar at "?", libyaml reads on ("[a? ]"
        # is ['a?'] to libyaml and an error to the pure reader): such documents are the pure
        # reader's. The shipped course and bank files have neither.
        return None
    loader = _FastLoader(text)
    try:
        return loader.get_single_data()
    except Exception:  # any problem: the pure reader reads it again and words it
        return None
    finally:
        loader.dispose()


class YamlError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


def load_yaml(
    text: str, first_line: int = 1, *, stop: Callable[[], str | None] | None = None
) -> Any:
    """Parse YAML; line numbers count from ``first_line`` (front matter starts below its fence).

    ``stop`` (optional) is asked before each node: a message ends the load as a ``YamlError`` at
    that node's line, which is how an import's time budget reaches inside one big document.
    """
    if stop is None:
        fast = _load_fast(text)
        if fast is not None:
            return _shift(fast, first_line - 1)
    loader: _Loader | None = None
    try:
        loader = _Loader(text)  # reading starts here: a bad character is already an error
        loader.stop = stop
        return _shift(loader.get_single_data(), first_line - 1)
    except _Stopped as exc:
        raise YamlError(exc.line + first_line - 1, exc.reason) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + first_line - 1
        raise YamlError(line, f"YAML syntax: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise YamlError(first_line, f"YAML syntax: {exc}") from None
    except ValueError as exc:  # a well-formed value PyYAML cannot build, e.g. the date 2024-13-45
        raise YamlError(first_line, f"YAML value: {exc}") from None
    except RecursionError:  # only a bug could get here: the composer stops at MAX_DEPTH
        raise YamlError(first_line, TOO_DEEP) from None
    finally:
        if loader is not None:
            loader.dispose()


def _shift(value: Any, offset: int) -> Any:
    if offset == 0:
        return value
    if isinstance(value, LinedDict):
        value.line += offset
        value.key_lines = {k: v + offset for k, v in value.key_lines.items()}
        for item in value.values():
            _shift(item, offset)
    elif isinstance(value, LinedList):
        value.line += offset
        value.item_lines = [n + offset for n in value.item_lines]
        for item in value:
            _shift(item, offset)
    return value
