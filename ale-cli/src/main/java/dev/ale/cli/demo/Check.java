package dev.ale.cli.demo;

/** One containment check of the tour: what should happen, what did, and whether that was contained. */
record Check(String name, String expected, String observed, boolean held) {
}
