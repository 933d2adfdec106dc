"""The scripts' exit status: 0 exactly when every check held (``make bench``, ``make load``, ``make replica``).

A script's teardown runs from its EXIT trap under ``set -e``: through ``on_exit`` (scripts/_common.sh), a
cleanup that fails (a server already stopped) never turns a successful run into exit 1, nor a failed run
into exit 0. Each case is a real bash run of a small script that sources _common.sh.
"""

import pathlib
import re
import subprocess

from odoo.tests import BaseCase, tagged

SCRIPTS = pathlib.Path(__file__).resolve().parent.parent / "scripts"


@tagged("post_install", "-at_install")
class TestScriptsExitStatus(BaseCase):
    def run_script(self, body):
        script = f'source "{SCRIPTS}/_common.sh"\n{body}\n'
        return subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60, check=False)

    def test_a_failing_teardown_keeps_a_successful_run_at_zero(self):
        # bench.sh's old trap: kill and wait on a server the script had already stopped.
        result = self.run_script(
            'sleep 0 & SERVER_PID=$!; wait "$SERVER_PID"\n'
            'gone() { kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; }\n'
            "on_exit gone\necho OK"
        )
        self.assertEqual((result.returncode, result.stdout.strip()), (0, "OK"), result.stderr)

    def test_a_teardown_that_fails_is_reported_not_returned(self):
        result = self.run_script("broken() { false; }\non_exit broken\necho OK")
        self.assertEqual((result.returncode, result.stdout.strip()), (0, "OK"), result.stderr)
        self.assertIn("teardown: broken failed", result.stderr)

    def test_a_failed_check_stays_failed_after_a_clean_teardown(self):
        result = self.run_script("cleaned() { true; }\non_exit cleaned\nexit 3")
        self.assertEqual(result.returncode, 3, result.stderr)

    def test_a_command_failing_under_set_e_fails_the_script(self):
        result = self.run_script("cleaned() { echo cleaned; }\non_exit cleaned\nfalse\necho unreachable")
        self.assertEqual((result.returncode, result.stdout.strip()), (1, "cleaned"), result.stderr)

    def test_the_teardown_runs_and_a_die_keeps_its_status(self):
        result = self.run_script('cleaned() { echo cleaned; }\non_exit cleaned\ndie "no database"')
        self.assertEqual((result.returncode, result.stdout.strip()), (2, "cleaned"), result.stderr)

    def test_every_script_installs_its_exit_trap_through_on_exit(self):
        for script in sorted(SCRIPTS.glob("*.sh")):
            if script.name == "_common.sh":
                continue  # on_exit itself
            for number, line in enumerate(script.read_text().splitlines(), 1):
                if re.match(r"\s*trap\s.*\bEXIT\b", line):
                    self.fail(f"{script.name}:{number}: a bare EXIT trap; use on_exit: {line.strip()}")
