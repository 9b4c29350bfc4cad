package dev.switchboard.datapath;

/**
 * What the data path reports about one application (client id and principal) so a switch can tell when it is
 * producing and consuming again. Called on the hot path: implementations must be a few volatile reads when
 * nothing is new.
 */
public interface ApplicationProgress {

    ApplicationProgress NONE = new ApplicationProgress() {
        @Override
        public void connected() {
        }

        @Override
        public void produced() {
        }

        @Override
        public void fetched() {
        }

        @Override
        public boolean awaitingProduce() {
            return false;
        }

        @Override
        public boolean awaitingFetch() {
            return false;
        }
    };

    /** A request arrived on a new connection of this application. */
    void connected();

    /** A produce response without errors reached the application. */
    void produced();

    /** A fetch response without errors reached the application. */
    void fetched();

    /** Whether a switch still waits for this application's first successful produce, so responses are inspected. */
    boolean awaitingProduce();

    /** Whether a switch still waits for this application's first successful fetch. */
    boolean awaitingFetch();
}
