"""Build hook: the wheel carries the repository's courses, banks and certificate templates.

They live at the top of the repository (``courses/``, ``quizzes/``, ``certificates/``) where authors
work on them; a wheel copies them into ``lms/bundled/``, which ``LMS_CONTENT_DIR`` defaults to when
a host sets none. Everything else about the package is in ``pyproject.toml``.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

CONTENT = ("courses", "quizzes", "certificates")


class BuildWithContent(build_py):
    def run(self) -> None:
        super().run()
        root = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "lms" / "bundled"
        for name in CONTENT:
            if (root / name).is_dir():
                shutil.copytree(root / name, target / name, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithContent})
