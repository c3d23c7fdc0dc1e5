"""The standalone app's configuration classes: defined in ``lms/settings.py`` (so the installed
package has them) and re-exported here, where a deployment from this repository looks for them."""

from lms.settings import (  # noqa: F401
    CONFIGS,
    Config,
    DevelopmentConfig,
    ProductionConfig,
    TestingConfig,
)
