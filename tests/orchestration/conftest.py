"""The encryption specs run whole cases: they share the workflow specs' scenes."""

from tests.workflows.conftest import live_reporting, live_scene, reporting, scene

__all__ = ["live_reporting", "live_scene", "reporting", "scene"]
