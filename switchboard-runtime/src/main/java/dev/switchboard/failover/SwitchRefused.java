package dev.switchboard.failover;

/** A switch request that cannot be carried out, with the HTTP status that says why. Nothing was changed. */
public final class SwitchRefused extends RuntimeException {

    private final int status;

    public SwitchRefused(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
