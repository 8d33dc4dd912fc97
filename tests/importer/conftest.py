from pathlib import Path

import pytest

from .makefiles import SHARED


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "reports" / "reference").is_dir():
        pytest.skip(
            f"shared/ not found beside the repo ({SHARED.resolve()}); the importer tests need its reports"
        )
    return SHARED
