import subprocess
import unittest

SCRIPT = "/workspace/logs/report.sh"

LOG = """2024-05-01T13:45:10Z ERROR disk full
2024-05-01T13:59:59Z ERROR disk full again
2024-05-01T13:10:00Z WARN almost full
2024-05-01T14:00:00Z INFO ok
2024-04-30T23:00:01Z ERROR late
garbage line ERROR
2024-05-01T14:30:00Z ERRORS not this one
2024-05-01T15:30:00Z error not this either
2024-05-02T00:00:00Z ERROR next day
"""


class ReportTest(unittest.TestCase):
    def test_errors_per_hour_in_time_order_with_the_separator(self):
        r = subprocess.run([SCRIPT], input=LOG, capture_output=True, text=True, timeout=20,
                           env={"REPORT_SEP": " ", "PATH": "/usr/bin:/bin"})
        self.assertEqual(r.stdout, "2024-04-30T23 1\n2024-05-01T13 2\n2024-05-02T00 1\n")

    def test_the_separator_comes_from_the_environment(self):
        r = subprocess.run([SCRIPT], input=LOG, capture_output=True, text=True, timeout=20,
                           env={"REPORT_SEP": "=", "PATH": "/usr/bin:/bin"})
        self.assertEqual(r.stdout.splitlines()[0], "2024-04-30T23=1")


if __name__ == "__main__":
    unittest.main()
