"""Odoo's own runner (``odoo-bin --test-enable``) runs only the test modules ``tests/__init__.py``
imports; pytest collects the files. A module left out there is silently never run by Odoo."""

import ast
from pathlib import Path

from odoo.tests import BaseCase, tagged


@tagged("post_install", "-at_install")
class TestEveryTestModuleIsImported(BaseCase):
    def test_tests_package_imports_every_test_module(self):
        folder = Path(__file__).parent
        tree = ast.parse((folder / "__init__.py").read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names}
        modules = {path.stem for path in folder.glob("test_*.py")}
        self.assertTrue(modules, "no test module found beside tests/__init__.py")
        self.assertEqual(modules - imported, set(), "test modules missing from tests/__init__.py")
