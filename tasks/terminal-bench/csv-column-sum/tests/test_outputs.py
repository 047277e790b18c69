import os
import subprocess
import tempfile
import unittest

SCRIPT = "/workspace/colsum.sh"


def run(text, column):
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, dir="/tmp") as f:
        f.write(text)
    try:
        return subprocess.run([SCRIPT, f.name, column], capture_output=True, text=True, timeout=20)
    finally:
        os.unlink(f.name)


class ColSumTest(unittest.TestCase):
    def test_sums_the_named_column(self):
        r = run("a,b,c\n1,2,3\n4,5,6\n", "b")
        self.assertEqual((r.returncode, r.stdout), (0, "7\n"))

    def test_negative_values_and_blank_lines(self):
        r = run("id,delta\n1,-10\n\n2,3\n3,-4\n", "delta")
        self.assertEqual((r.returncode, r.stdout), (0, "-11\n"))

    def test_last_column_and_no_trailing_newline(self):
        r = run("x,total\n1,100\n2,250", "total")
        self.assertEqual((r.returncode, r.stdout), (0, "350\n"))

    def test_unknown_column_exits_2_quietly(self):
        r = run("a,b\n1,2\n", "zz")
        self.assertEqual((r.returncode, r.stdout), (2, ""))

    def test_a_column_whose_name_is_a_prefix_of_another(self):
        r = run("amount,amount_tax\n5,1\n7,2\n", "amount")
        self.assertEqual((r.returncode, r.stdout), (0, "12\n"))


if __name__ == "__main__":
    unittest.main()
