import subprocess
import unittest

SCRIPT = "/workspace/roman.sh"


def run(*args):
    return subprocess.run([SCRIPT, *args], capture_output=True, text=True, timeout=20)


class RomanTest(unittest.TestCase):
    def test_known_values(self):
        for n, roman in [(1, "I"), (4, "IV"), (9, "IX"), (14, "XIV"), (40, "XL"), (90, "XC"),
                         (400, "CD"), (944, "CMXLIV"), (1994, "MCMXCIV"), (3999, "MMMCMXCIX")]:
            r = run(str(n))
            self.assertEqual((r.returncode, r.stdout), (0, roman + "\n"), n)

    def test_out_of_range_and_text_exit_1(self):
        for args in [("0",), ("4000",), ("x",), ()]:
            r = run(*args)
            self.assertEqual((r.returncode, r.stdout), (1, ""), args)


if __name__ == "__main__":
    unittest.main()
