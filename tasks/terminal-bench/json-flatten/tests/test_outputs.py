import json
import subprocess
import unittest


def run(doc):
    r = subprocess.run(["/usr/bin/python3", "/workspace/flatten.py"], input=json.dumps(doc),
                       capture_output=True, text=True, timeout=20)
    return json.loads(r.stdout) if r.returncode == 0 else ("exit", r.returncode, r.stderr)


class FlattenTest(unittest.TestCase):
    def test_nested_objects_and_lists(self):
        self.assertEqual(run({"a": {"b": 1, "c": [10, {"d": None}]}, "e": "x"}),
                         {"a.b": 1, "a.c.0": 10, "a.c.1.d": None, "e": "x"})

    def test_empty_containers_are_leaves(self):
        self.assertEqual(run({"a": {}, "b": [], "c": {"d": []}}), {"a": {}, "b": [], "c.d": []})

    def test_top_level_leaf_and_types_kept(self):
        self.assertEqual(run(3.5), {"": 3.5})
        self.assertEqual(run([True, False]), {"0": True, "1": False})

    def test_keys_sorted_in_output(self):
        r = subprocess.run(["/usr/bin/python3", "/workspace/flatten.py"], input='{"b": 1, "a": 2}',
                           capture_output=True, text=True, timeout=20)
        self.assertLess(r.stdout.index('"a"'), r.stdout.index('"b"'))


if __name__ == "__main__":
    unittest.main()
