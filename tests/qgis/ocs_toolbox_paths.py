"""Where the test legs find the plugin (mirrors tests/conftest.py)."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLUGINS = os.path.join(ROOT, ".build", "plugins")
