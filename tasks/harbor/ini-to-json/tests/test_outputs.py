import json
import subprocess
import unittest


def run(text):
    r = subprocess.run(["/usr/bin/python3", "/workspace/ini2json.py"], input=text, capture_output=True, text=True, timeout=20)
    return json.loads(r.stdout) if r.returncode == 0 else ("exit", r.returncode, r.stderr)


class IniTest(unittest.TestCase):
    def test_sections_and_pairs(self):
        self.assertEqual(run("[a]\nx = 1\ny=two words \n[b]\nz= 3\n"), {"a": {"x": "1", "y": "two words"}, "b": {"z": "3"}})

    def test_comments_blank_lines_and_top_pairs(self):
        self.assertEqual(run("top = yes\n; note\n# other\n\n[s]\nk = v\n"), {"": {"top": "yes"}, "s": {"k": "v"}})

    def test_repeated_key_keeps_the_last_and_equals_in_values(self):
        self.assertEqual(run("[s]\nk = 1\nk = 2\nurl = a=b\n"), {"s": {"k": "2", "url": "a=b"}})


if __name__ == "__main__":
    unittest.main()
