package dev.ale.image.build;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** .dockerignore patterns as Docker reads them. */
class DockerIgnoreTest {

    @Test
    void patternsExcludePathsAndEverythingBelowADirectory() {
        DockerIgnore i = DockerIgnore.parse("# comment\n\n.git\n*.log\nbuild/\n/secret.txt\n");
        assertThat(i.excluded(".git")).isTrue();
        assertThat(i.excluded(".git/config")).isTrue();
        assertThat(i.excluded("debug.log")).isTrue();
        assertThat(i.excluded("build/out/a.o")).isTrue();
        assertThat(i.excluded("secret.txt")).isTrue();
        // * stays within one component: a log one level down is kept, as in Docker
        assertThat(i.excluded("sub/debug.log")).isFalse();
        assertThat(i.excluded("src/main.c")).isFalse();
        assertThat(i.excluded("gitignore")).isFalse();
    }

    @Test
    void doubleStarCrossesDirectoriesAndMatchesNoneAtAll() {
        DockerIgnore i = DockerIgnore.parse("**/*.pyc\n");
        assertThat(i.excluded("a.pyc")).isTrue();
        assertThat(i.excluded("pkg/sub/a.pyc")).isTrue();
        assertThat(i.excluded("pkg/a.py")).isFalse();
    }

    @Test
    void theLastMatchingPatternDecidesSoBangReincludes() {
        DockerIgnore i = DockerIgnore.parse("docs\n!docs/keep.md\n");
        assertThat(i.excluded("docs/other.md")).isTrue();
        assertThat(i.excluded("docs/keep.md")).isFalse();
        assertThat(DockerIgnore.parse("!a\na\n").excluded("a")).isTrue();
    }

    @Test
    void bracesAreLiteralAsInDocker() {
        DockerIgnore i = DockerIgnore.parse("{a,b}\n");
        assertThat(i.excluded("a")).isFalse();
        assertThat(i.excluded("{a,b}")).isTrue();
    }
}
