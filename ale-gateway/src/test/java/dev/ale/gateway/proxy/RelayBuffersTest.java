package dev.ale.gateway.proxy;

import org.junit.jupiter.api.Test;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RelayBuffersTest {

    @Test
    void noMoreLargeBuffersAreLentThanTheCapUntilOneIsGivenBack() {
        RelayBuffers buffers = new RelayBuffers(3);
        List<ByteBuffer> lent = new ArrayList<>();
        for (int i = 0; i < 3; i++) lent.add(buffers.large().orElseThrow());
        assertThat(buffers.large()).isEmpty();
        assertThat(buffers.largeLent()).isEqualTo(3);

        buffers.giveBack(lent.removeFirst());
        ByteBuffer again = buffers.large().orElseThrow();
        assertThat(again.capacity()).isEqualTo(RelayBuffers.LARGE);
        assertThat(again.isDirect()).isTrue();
        assertThat(again.position()).as("a reused buffer comes cleared").isZero();
        assertThat(buffers.large()).isEmpty();
        assertThat(buffers.largeBorrowed()).isEqualTo(4);
    }

    @Test
    void smallBuffersAreDirectAndAlwaysAvailableAndGivingOneBackLendsNoLargeOne() {
        RelayBuffers buffers = new RelayBuffers(0);
        ByteBuffer small = buffers.small();
        assertThat(small.isDirect()).isTrue();
        assertThat(small.capacity()).isEqualTo(RelayBuffers.SMALL);
        small.put((byte) 1);
        buffers.giveBack(small);
        assertThat(buffers.small().position()).isZero();
        assertThat(buffers.large()).as("a cap of none lends none").isEmpty();
        assertThat(buffers.largeLent()).isZero();
    }

    @Test
    void aNegativeCapIsRefusedWithItsValue() {
        assertThatThrownBy(() -> new RelayBuffers(-1)).hasMessageContaining("maxLarge -1");
    }
}
