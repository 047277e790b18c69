import subprocess
import unittest


def run(text):
    return subprocess.run(["/workspace/text/dedupe.sh"], input=text, capture_output=True, text=True, timeout=20).stdout


class DedupeTest(unittest.TestCase):
    def test_order_of_first_appearance(self):
        self.assertEqual(run("b\na\nb\nc\na\n"), "b\na\nc\n")

    def test_trailing_blanks_do_not_count(self):
        self.assertEqual(run("x \nx\nx\t\ny\n"), "x \ny\n")

    def test_leading_blanks_do(self):
        self.assertEqual(run(" x\nx\n"), " x\nx\n")


if __name__ == "__main__":
    unittest.main()
