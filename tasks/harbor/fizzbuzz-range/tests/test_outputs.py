import subprocess
import unittest


def model(a, b):
    out = []
    for n in range(a, b + 1):
        out.append("FizzBuzz" if n % 15 == 0 else "Fizz" if n % 3 == 0 else "Buzz" if n % 5 == 0 else str(n))
    return "".join(line + "\n" for line in out)


class FizzBuzzTest(unittest.TestCase):
    def test_ranges(self):
        for a, b in [(1, 15), (-16, -1), (-3, 3), (29, 31), (7, 7)]:
            r = subprocess.run(["/workspace/fizzbuzz.sh", str(a), str(b)], capture_output=True, text=True, timeout=20)
            self.assertEqual(r.stdout, model(a, b), (a, b))


if __name__ == "__main__":
    unittest.main()
