package dev.ale.image;

/** What a pull reports as it goes: the bytes to fetch once known, then the bytes as they arrive. */
public interface PullProgress {

    void started(String image, long totalBytes, int layers);

    void advanced(long bytes);

    void finished();

    static PullProgress none() {
        return new PullProgress() {
            @Override
            public void started(String image, long totalBytes, int layers) {
            }

            @Override
            public void advanced(long bytes) {
            }

            @Override
            public void finished() {
            }
        };
    }
}
