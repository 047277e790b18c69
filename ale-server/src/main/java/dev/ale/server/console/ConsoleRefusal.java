package dev.ale.server.console;

/** A console request refused, with the status and the page title it is answered with. */
final class ConsoleRefusal extends RuntimeException {

    private final int status;
    private final String title;

    ConsoleRefusal(int status, String title, String message) {
        super(message, null, false, false); // a refusal, not a fault
        this.status = status;
        this.title = title;
    }

    int status() {
        return status;
    }

    String title() {
        return title;
    }
}
