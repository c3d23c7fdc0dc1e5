"""Messages in English for tests written against the English wording of a translated message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask


@pytest.fixture
def english() -> Iterator[None]:
    """An application context whose interface language is English (no database: pure functions)."""
    app = Flask(__name__)
    app.config["LMS_DEFAULT_LOCALE"] = "en"
    with app.app_context():
        yield
