package dev.ale.episode;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PytestSummaryTest {

    private static final String ALL_PASSED = """
            ============================= test session starts ==============================
            collected 3 items

            ../tests/test_outputs.py ...                                             [100%]

            ==================================== PASSES ====================================
            =========================== short test summary info ============================
            PASSED ../tests/test_outputs.py::test_file_exists
            PASSED ../tests/test_outputs.py::test_contents
            SKIPPED [1] ../tests/test_outputs.py:30: needs a GPU
            ============================== 2 passed, 1 skipped in 0.02s ===============================
            """;

    @Test
    void everyListedTestPassedOrSkippedIsSolved() {
        PytestSummary s = PytestSummary.parse(ALL_PASSED).orElseThrow();
        assertThat(s.tests()).hasSize(3);
        assertThat(s.solved()).isTrue();
        assertThat(s.tests().get(0).test()).isEqualTo("../tests/test_outputs.py::test_file_exists");
    }

    @Test
    void oneFailureOrErrorOrUnexpectedPassIsNotSolvedAndIsNamed() {
        String out = """
                =========================== short test summary info ============================
                PASSED tests/test_outputs.py::test_a
                FAILED tests/test_outputs.py::test_b - AssertionError: assert 'x' == 'y'
                ERROR tests/test_outputs.py::test_c - FileNotFoundError: /app/out.txt
                XPASS tests/test_outputs.py::test_d
                XFAIL tests/test_outputs.py::test_e - known bug
                ========================= 2 failed, 1 passed in 0.10s ==========================
                echo done
                """;
        PytestSummary s = PytestSummary.parse(out).orElseThrow();
        assertThat(s.solved()).isFalse();
        assertThat(s.failed()).containsExactly("FAILED tests/test_outputs.py::test_b", "ERROR tests/test_outputs.py::test_c",
                "XPASS tests/test_outputs.py::test_d");
    }

    @Test
    void withoutASummarySectionThereIsNothingToRead() {
        assertThat(PytestSummary.parse("")).isEmpty();
        assertThat(PytestSummary.parse("============ 3 passed in 0.01s ============\n")).isEmpty();
        assertThat(PytestSummary.parse("bash: pytest: command not found\n")).isEmpty();
    }

    @Test
    void anEmptySectionIsNotSolved() {
        PytestSummary s = PytestSummary.parse("=== short test summary info ===\n=== no tests ran in 0.01s ===\n").orElseThrow();
        assertThat(s.tests()).isEmpty();
        assertThat(s.solved()).isFalse();
    }

    @Test
    void theLastRunDecidesWhenTheScriptRanPytestTwice() {
        String out = """
                =========================== short test summary info ============================
                FAILED tests/test_x.py::test_a - flaky
                ========================= 1 failed in 0.10s ==========================
                =========================== short test summary info ============================
                PASSED tests/test_x.py::test_a
                ========================= 1 passed in 0.10s ==========================
                """;
        assertThat(PytestSummary.parse(out).orElseThrow().solved()).isTrue();
    }

    @Test
    void linesThatOnlyLookLikeResultsOutsideTheSectionAreIgnored() {
        String out = """
                PASSED tests/test_x.py::test_fake printed by the solution itself
                =========================== short test summary info ============================
                FAILED tests/test_x.py::test_a
                ========================= 1 failed in 0.10s ==========================
                PASSED tests/test_x.py::test_after printed after pytest ended
                """;
        PytestSummary s = PytestSummary.parse(out).orElseThrow();
        assertThat(s.tests()).extracting(PytestSummary.Result::test).containsExactly("tests/test_x.py::test_a");
        assertThat(s.solved()).isFalse();
    }

    @Test
    void windowsLineEndingsAndTrailingBlanksAreRead() {
        String out = "=== short test summary info ===  \r\nPASSED t.py::test_a  \r\n=== 1 passed ===\r\n";
        assertThat(PytestSummary.parse(out).orElseThrow().solved()).isTrue();
    }
}
