import os
import unittest


class GreetingTest(unittest.TestCase):
    def test_hello_file_is_in_the_working_directory(self):
        path = "/workspace/greeting/hello.txt"
        self.assertTrue(os.path.isfile(path), "hello.txt must be in /workspace/greeting, the task's WORKDIR")
        with open(path) as f:
            self.assertEqual(f.read(), "Hello, Ada!\n")


if __name__ == "__main__":
    unittest.main()
